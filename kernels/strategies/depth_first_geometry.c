#include "kernels/strategies/depth_first_geometry.h"

static uint16_t min_u16(uint16_t a, uint16_t b) {
  return a < b ? a : b;
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
    nn_input_rows(L, r[k].y0, r[k].y1, &r[k - 1].y0, &r[k - 1].y1);
    nn_input_cols(L, r[k].x0, r[k].x1, &r[k - 1].x0, &r[k - 1].x1);
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
  const uint16_t nc = (uint16_t)(r->c1 - r->c0), ny = (uint16_t)(r->y1 - r->y0);
  if (r->x0 != 0 || r->x1 != s.w) return (uint16_t)(nc * ny);
  if (r->y0 != 0 || r->y1 != s.h) return nc;
  return 1;
}
