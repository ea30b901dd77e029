#include "kernels/strategies/depth_first_geometry.h"

static uint16_t min_u16(uint16_t a, uint16_t b) {
  return a < b ? a : b;
}

// Input indices [*i0, *i1) that outputs [o0, o1) read along one axis (stride st, window k,
// padding p, n input indices): nn_input_span's arithmetic (kernels/nn/nn_layer.c) in 16 bits,
// without its calls and 32-bit products, since the slice path runs it for every layer of every
// slice (dimensions <= 1024 and small strides: no overflow).
static inline void span(uint16_t o0, uint16_t o1, uint16_t st, uint16_t k, uint16_t p, uint16_t n,
                        uint16_t* i0, uint16_t* i1) {
  uint16_t a = o0, b = (uint16_t)(o1 - 1u);
  if (st == 2) {
    a = (uint16_t)(a << 1), b = (uint16_t)(b << 1);
  } else if (st != 1) {
    a = (uint16_t)(a * st), b = (uint16_t)(b * st);
  }
  const int16_t lo = (int16_t)(a - p), hi = (int16_t)(b - p + k);
  *i0 = lo < 0 ? 0u : (uint16_t)lo;
  *i1 = hi > (int16_t)n ? n : (uint16_t)hi;
}

void df_slice_pos(const nn_layer_t* layers, const df_group_t* g, uint16_t s, df_slice_pos_t* p) {
  (void)layers;
  const uint16_t per_block = (uint16_t)(g->ny * g->nx);
  p->c0 = p->y0 = p->x0 = 0;
  for (; s >= per_block && per_block; s = (uint16_t)(s - per_block))
    p->c0 = (uint16_t)(p->c0 + g->tc);
  for (; s >= g->nx && g->nx; s = (uint16_t)(s - g->nx)) p->y0 = (uint16_t)(p->y0 + g->ty);
  for (; s; --s) p->x0 = (uint16_t)(p->x0 + g->tx);
}

uint8_t df_slice_next(const nn_layer_t* layers, const df_group_t* g, df_slice_pos_t* p) {
  const nn_shape_t o = layers[g->last].out;
  p->x0 = (uint16_t)(p->x0 + g->tx);
  if (p->x0 < o.w) return 1;
  p->x0 = 0;
  p->y0 = (uint16_t)(p->y0 + g->ty);
  if (p->y0 < o.h) return 1;
  p->y0 = 0;
  p->c0 = (uint16_t)(p->c0 + g->tc);
  if (p->c0 < o.c) return 1;
  p->c0 = 0;
  return 0;
}

uint16_t df_slice_regions(const nn_layer_t* layers, const df_group_t* g, const df_slice_pos_t* p,
                          uint8_t full_width_conv, nn_region_t* r) {
  const uint16_t n = (uint16_t)(g->last - g->first + 1u);
  if (n > DF_MAX_GROUP_LAYERS) return 0;
  const nn_layer_t* last = &layers[g->last];
  r[n].c0 = p->c0;
  r[n].c1 = min_u16((uint16_t)(r[n].c0 + g->tc), last->out.c);
  r[n].y0 = p->y0;
  r[n].y1 = min_u16((uint16_t)(r[n].y0 + g->ty), last->out.h);
  r[n].x0 = p->x0;
  r[n].x1 = min_u16((uint16_t)(r[n].x0 + g->tx), last->out.w);
  for (uint16_t k = n; k > 0; --k) {
    const nn_layer_t* L = &layers[g->first + k - 1u];
    if (full_width_conv && (L->op == NN_OP_CONV2D || L->op == NN_OP_CONV1D)) {
      r[k].x0 = 0;
      r[k].x1 = L->out.w;
    }
    // As nn_input_rows / nn_input_cols: windows for convs and pools, the same indices for
    // ReLU, everything for FC.
    switch (L->op) {
      case NN_OP_CONV2D:
      case NN_OP_CONV1D:
      case NN_OP_MAXPOOL:
      case NN_OP_AVGPOOL:
        span(r[k].y0, r[k].y1, L->sh, L->kh, L->ph, L->in.h, &r[k - 1].y0, &r[k - 1].y1);
        span(r[k].x0, r[k].x1, L->sw, L->kw, L->pw, L->in.w, &r[k - 1].x0, &r[k - 1].x1);
        break;
      case NN_OP_RELU:
        r[k - 1].y0 = r[k].y0, r[k - 1].y1 = r[k].y1;
        r[k - 1].x0 = r[k].x0, r[k - 1].x1 = r[k].x1;
        break;
      default:
        r[k - 1].y0 = 0, r[k - 1].y1 = L->in.h;
        r[k - 1].x0 = 0, r[k - 1].x1 = L->in.w;
        break;
    }
    // Pools and ReLU work channel by channel: a channel range of their output needs only
    // the same channels of their input (no recompute); other layers need every channel.
    const uint8_t per_channel =
        L->op == NN_OP_MAXPOOL || L->op == NN_OP_AVGPOOL || L->op == NN_OP_RELU;
    r[k - 1].c0 = per_channel ? r[k].c0 : 0;
    r[k - 1].c1 = per_channel ? r[k].c1 : L->in.c;
  }
  return n;
}

uint16_t df_region_runs(nn_shape_t s, const nn_region_t* r) {
  const df_runs_t k = df_runs_of(s, r);
  const uint16_t nc = (uint16_t)(r->c1 - r->c0);
  return k.whole_map ? 1u : k.whole_rows ? nc : (uint16_t)(nc * (r->y1 - r->y0));
}
