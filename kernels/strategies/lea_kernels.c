// LEA compute jobs shared by hawaii.c and depth_first.c (see lea_kernels.h).
#include "kernels/strategies/lea_kernels.h"

#include "kernels/nn/nn_internal.h"
#include "kernels/nn/q15.h"
#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/dma.h"
#include "kernels/runtime/lea.h"
#include "kernels/runtime/sections.h"

IPSIM_LEARAM static int32_t lk_result;  // MAC result (IQ31)

int32_t lk_mac(const int16_t* a, const int16_t* b, uint16_t n) {
  if (lea_mac_q15(a, b, n, &lk_result)) dbg_exit(0xE3);  // LEA fault: never silently wrong
  const int32_t r = lk_result;
  if (r != INT32_MAX && r != INT32_MIN) return r >> 1;
  if (n <= 2) {
    int32_t s = 0;
    for (uint16_t i = 0; i < n; ++i) s += (int32_t)a[i] * b[i];
    return s;
  }
  const uint16_t h = (uint16_t)((n >> 1) & ~1u);
  return lk_mac(a, b, h) + lk_mac(a + h, b + h, (uint16_t)(n - h));
}

int16_t lk_finish(const nn_layer_t* l, int32_t acc) {
  int16_t v = q15_requant(acc, l->shift);
  return l->relu ? q15_relu(v) : v;
}

// Copies n >= 1 words from p to d and returns d + n: the im2col inner loop, one indirect
// autoincrement move per word (clang's loop keeps the pointers in stack slots).
static inline int16_t* lk_copy_run(int16_t* d, const int16_t* p, uint16_t n) {
  int16_t t;
  __asm__ volatile("1:\n\tmov @%1+, %3\n\tmov %3, 0(%0)\n\tadd #2, %0\n\tsub #1, %2\n\tjne 1b"
                   : "+r"(d), "+r"(p), "+r"(n), "=&r"(t)
                   :
                   : "memory");
  return d;
}

int32_t lk_conv_load(const lk_bufs_t* b, const nn_layer_t* l, uint16_t oc) {
  const uint16_t k = (uint16_t)(l->in.c * l->kh * l->kw), k2 = (uint16_t)((k + 1u) & ~1u);
  if (k2 > b->w_words || k2 > b->x_words) dbg_exit(0xE2);  // receptive field too large
  int32_t bias;
  nn_far_read(b->w, *l->weights + (nn_far_addr_t)oc * k * 2u, (uint16_t)(k * 2u));
  nn_far_read(&bias, *l->bias + (nn_far_addr_t)oc * 4u, 4);
  if (k2 != k) b->w[k] = 0, b->x[k] = 0;  // odd k: a zero weight against a zero input
  return bias;
}

int16_t lk_conv_point(const lk_bufs_t* b, const nn_layer_t* l, const int16_t* at, uint16_t rs,
                      uint16_t cs, int32_t bias) {
  const uint16_t kh = l->kh, kw = l->kw;
  const uint16_t k = (uint16_t)(l->in.c * kh * kw), k2 = (uint16_t)((k + 1u) & ~1u);
  // Kernel rows are contiguous in the input: copy in_c * kh runs of kw words.
  int16_t* d = b->x;
  const uint16_t chan_skip = (uint16_t)(cs - kh * rs);
  for (uint16_t ic = l->in.c; ic; --ic, at += chan_skip)
    for (uint16_t ky = kh; ky; --ky, at += rs) d = lk_copy_run(d, at, kw);
  return lk_finish(l, bias + lk_mac(b->x, b->w, k2));
}

int16_t lk_conv_point_padded(const lk_bufs_t* b, const nn_layer_t* l, const nn_src_t* s, uint16_t y,
                             uint16_t x, int32_t bias) {
  const uint16_t kh = l->kh, kw = l->kw;
  const uint16_t k = (uint16_t)(l->in.c * kh * kw), k2 = (uint16_t)((k + 1u) & ~1u);
  const int16_t iy0 = (int16_t)((int16_t)(y * l->sh) - (int16_t)l->ph);
  const int16_t ix0 = (int16_t)((int16_t)(x * l->sw) - (int16_t)l->pw);
  // Taps [kx0, kx1) of every kernel row are inside the map's columns; rows outside it and
  // the other taps are zeros. The inside runs are copied as lk_conv_point does.
  const uint16_t kx0 = (uint16_t)(ix0 < 0 ? -ix0 : 0);
  const int16_t right = (int16_t)((int16_t)l->in.w - ix0);
  const uint16_t kx1 = (uint16_t)(right < (int16_t)kw ? right : (int16_t)kw);
  int16_t* d = b->x;
  for (uint16_t ic = 0; ic < l->in.c; ++ic)
    for (int16_t iy = iy0; iy < (int16_t)(iy0 + kh); ++iy) {
      if (iy < 0 || iy >= (int16_t)l->in.h) {
        for (uint16_t kx = 0; kx < kw; ++kx) *d++ = 0;
        continue;
      }
      for (uint16_t kx = 0; kx < kx0; ++kx) *d++ = 0;
      d = lk_copy_run(d, nn_src_at(s, ic, (uint16_t)iy, (uint16_t)(ix0 + (int16_t)kx0)),
                      (uint16_t)(kx1 - kx0));
      for (uint16_t kx = kx1; kx < kw; ++kx) *d++ = 0;
    }
  return lk_finish(l, bias + lk_mac(b->x, b->w, k2));
}

int lk_fc_load_input(const lk_bufs_t* b, const nn_layer_t* l, const int16_t* in) {
  const uint16_t k = (uint16_t)(l->in.c * l->in.h * l->in.w);
  if (k > b->x_words) return 0;
  dma_copy_words((uint32_t)(uintptr_t)b->x, (uint32_t)(uintptr_t)in, k);
  return 1;
}

int16_t lk_fc_neuron(const lk_bufs_t* b, const nn_layer_t* l, uint16_t j, const int16_t* in,
                     int resident) {
  const uint16_t k = (uint16_t)(l->in.c * l->in.h * l->in.w);
  // Chunks of the weight buffer (and of the input buffer when the input is streamed).
  uint16_t chunk = b->w_words;
  if (!resident && b->x_words < chunk) chunk = b->x_words;
  chunk &= (uint16_t)~1u;
  int32_t acc;
  nn_far_read(&acc, *l->bias + (nn_far_addr_t)j * 4u, 4);
  nn_far_addr_t w = *l->weights + (nn_far_addr_t)j * k * 2u;
  for (uint16_t c0 = 0; c0 < k; c0 += chunk) {
    const uint16_t n = (uint16_t)(k - c0 > chunk ? chunk : k - c0);
    const uint16_t n2 = (uint16_t)((n + 1u) & ~1u);
    nn_far_read(b->w, w, (uint16_t)(n * 2u));
    w += (nn_far_addr_t)n * 2u;
    int16_t* x = b->x + c0;
    if (!resident) {
      dma_copy_words((uint32_t)(uintptr_t)b->x, (uint32_t)(uintptr_t)(in + c0), n);
      x = b->x;
    }
    if (n2 != n) b->w[n] = 0;  // odd tail: pad with a zero weight
    acc += lk_mac(x, b->w, n2);
  }
  return lk_finish(l, acc);
}

// Conv region r of layer L on the LEA: one MAC job per output element (lea_kernels.h).
// Conv sources hold every input channel (s->c0 = 0) and the rows/columns r needs.
void lk_conv_region(const lk_bufs_t* b, const nn_layer_t* L, const nn_src_t* s, const nn_dst_t* d,
                    const nn_region_t* r) {
  for (uint16_t oc = r->c0; oc < r->c1; ++oc) {
    const int32_t bias = lk_conv_load(b, L, oc);
    int16_t* o = d->data + (uint16_t)(oc - d->c0) * d->chan_stride +
                 (uint16_t)(r->y0 - d->y0) * d->row_stride;
    if (L->ph | L->pw) {  // zero padding: the gather fills the taps outside the map with 0
      for (uint16_t y = r->y0; y < r->y1; ++y, o += d->row_stride)
        for (uint16_t x = r->x0; x < r->x1; ++x)
          o[x - d->x0] = lk_conv_point_padded(b, L, s, y, x, bias);
      continue;
    }
    for (uint16_t y = r->y0; y < r->y1; ++y, o += d->row_stride) {
      const int16_t* row = s->data + (uint16_t)(y * L->sh - s->y0) * s->row_stride;
      for (uint16_t x = r->x0; x < r->x1; ++x)
        o[x - d->x0] = lk_conv_point(b, L, row + (uint16_t)(x * L->sw - s->x0), s->row_stride,
                                     s->chan_stride, bias);
    }
  }
}

// A separate copy of lk_conv_region (whose callers' cycle counts stay as they were), with
// the weight tag (lea_kernels.h); lk_conv_point is inlined here as there.
void lk_conv_region_resident(const lk_bufs_t* b, const nn_layer_t* L, const nn_src_t* s,
                             const nn_dst_t* d, const nn_region_t* r, lk_wtag_t* tag) {
  for (uint16_t oc = r->c0; oc < r->c1; ++oc) {
    if (tag->layer != L || tag->oc != oc) {
      tag->bias = lk_conv_load(b, L, oc);
      tag->layer = L;
      tag->oc = oc;
    }
    const int32_t bias = tag->bias;
    int16_t* o = d->data + (uint16_t)(oc - d->c0) * d->chan_stride +
                 (uint16_t)(r->y0 - d->y0) * d->row_stride;
    if (L->ph | L->pw) {
      for (uint16_t y = r->y0; y < r->y1; ++y, o += d->row_stride)
        for (uint16_t x = r->x0; x < r->x1; ++x)
          o[x - d->x0] = lk_conv_point_padded(b, L, s, y, x, bias);
      continue;
    }
    for (uint16_t y = r->y0; y < r->y1; ++y, o += d->row_stride) {
      const int16_t* row = s->data + (uint16_t)(y * L->sh - s->y0) * s->row_stride;
      for (uint16_t x = r->x0; x < r->x1; ++x)
        o[x - d->x0] = lk_conv_point(b, L, row + (uint16_t)(x * L->sw - s->x0), s->row_stride,
                                     s->chan_stride, bias);
    }
  }
}

// FC output channels r->c0..c1 on the LEA; the source is the whole (dense) input map.
void lk_fc_region(const lk_bufs_t* b, const nn_layer_t* L, const nn_src_t* s, const nn_dst_t* d,
                  const nn_region_t* r) {
  const int resident = lk_fc_load_input(b, L, s->data);
  for (uint16_t j = r->c0; j < r->c1; ++j)
    d->data[(uint16_t)(j - d->c0) * d->chan_stride] = lk_fc_neuron(b, L, j, s->data, resident);
}
