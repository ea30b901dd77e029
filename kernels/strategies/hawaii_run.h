// The second part of what hawaii.c and hawaii_fir.c share (see hawaii_layers.h): the pooling
// and FC jobs, the input copy and the layer loop, for both NVM kinds. Included last by the
// strategy file, after its hw_conv and hw_layer_clear (this order, the functions' order before
// they were shared, keeps the on-chip images' code and cycle counts exactly as they were).
#ifndef IPSIM_STRATEGIES_HAWAII_RUN_H
#define IPSIM_STRATEGIES_HAWAII_RUN_H
#include "kernels/strategies/hawaii_layers.h"

static void hw_pool(const nn_layer_t* l, uint16_t li, hw_in_t in, hw_map_t out, uint32_t base) {
  const uint16_t in_w = l->in.w;
#ifndef IPSIM_NVM_SPI
  const uint16_t in_plane = (uint16_t)(l->in.h * in_w);
#endif
  const uint16_t wo = l->out.w, ho = l->out.h, plane = (uint16_t)(ho * wo);
  const uint16_t total = (uint16_t)(l->out.c * plane);
  const int is_max = l->op == NN_OP_MAXPOOL;
  uint16_t j = hw_fp_load(li);
  if (j >= total) return;
  uint16_t c = j / plane, pos = (uint16_t)(j - c * plane);
  uint16_t y = pos / wo, x = (uint16_t)(pos - y * wo);
#ifdef IPSIM_NVM_SPI
  uint16_t staged = 0xFFFFu;
#endif
  while (j < total) {
#ifdef IPSIM_NVM_SPI
    const uint16_t key = (uint16_t)(c * ho + y);
    if (key != staged) {  // channel c's window rows of output row y
      const uint16_t y0 = (uint16_t)(y * l->sh);
      hw_stage_rows(in, l->in, c, (uint16_t)(c + 1u), y0, (uint16_t)(y0 + l->kh));
      staged = key;
    }
    const int16_t* p = hw_band + x * l->sw;
#else
    const int16_t* p = in + c * in_plane + (uint16_t)(y * l->sh) * in_w + x * l->sw;
#endif
    int16_t m = Q15_MIN;
    int32_t sum = 0;
    for (uint16_t ky = 0; ky < l->kh; ++ky, p += in_w)
      for (uint16_t kx = 0; kx < l->kw; ++kx) {
        if (p[kx] > m) m = p[kx];
        sum += p[kx];
      }
    int16_t v = is_max ? m : q15_requant(sum, l->shift);
    hw_put(out, j, l->relu ? q15_relu(v) : v);
    hw_commit(li, ++j, base, HW_PROGRESS_EVERY);
    if (++x == wo) {
      x = 0;
      if (++y == ho) y = 0, ++c;
    }
  }
}

static void hw_fc(const nn_layer_t* l, uint16_t li, hw_in_t in, hw_map_t out, uint32_t base) {
  // The output count in a local (hawaii.c) or reread from the layer (hawaii_fir.c): as each
  // file had it, so that the on-chip images keep their exact code, layout and cycle counts.
#if HW_FC_OUT_LOCAL
  const uint16_t n_out = l->out.c;
#define HW_FC_OUT n_out
#else
#define HW_FC_OUT l->out.c
#endif
  uint16_t j = hw_fp_load(li);
  if (j >= HW_FC_OUT) return;
    // The input goes to LEA RAM at each (re)start of the layer, as in HAWAII.
#ifdef IPSIM_NVM_SPI
  const uint16_t k = nn_shape_words(l->in);
  if (k > HW_FC_BUFS->x_words) dbg_exit(0xE4);
  nvm_read(HW_FC_BUFS->x, in, (uint16_t)(2u * k));
  const int16_t* x = HW_FC_BUFS->x;
  const int resident = 1;
#else
  const int16_t* x = in;
  const int resident = lk_fc_load_input(HW_FC_BUFS, l, in);
#endif
  while (j < HW_FC_OUT) {
    hw_put(out, j, lk_fc_neuron(HW_FC_BUFS, l, j, x, resident));
    hw_commit(li, ++j, base, HW_FC_EVERY);
  }
#undef HW_FC_OUT
}

// The sample input into fmap_a (idempotent: redone if cut); on the external FRAM through
// hw_band, from the on-chip far FRAM.
static void hw_load_input(const nn_network_t* net, uint16_t input) {
#ifdef IPSIM_NVM_SPI
  const uint16_t words = nn_shape_words(net->in);
  const nn_far_addr_t src = *net->inputs + (nn_far_addr_t)input * words * 2u;
  for (uint16_t at = 0; at < words; at = (uint16_t)(at + HW_BAND_WORDS)) {
    const uint16_t n = words - at < HW_BAND_WORDS ? (uint16_t)(words - at) : HW_BAND_WORDS;
    nn_far_read(hw_band, src + (nn_far_addr_t)at * 2u, (uint16_t)(2u * n));
    nvm_write(fmap_a_addr + 2u * at, hw_band, (uint16_t)(2u * n));
  }
#else
  nn_network_load_input(net, input, fmap_a);
#endif
}

void strategy_begin(const nn_network_t* net, uint16_t input) {
  (void)input;
#ifdef IPSIM_NVM_SPI
  nvm_init();
#endif
  hw_layer_clear(net, 0);
  HW_BARRIER();
  hw_stage_store(0);
}

const int16_t* strategy_run(const nn_network_t* net, uint16_t input) {
  hw_map_t bufs[2] = {HW_MAP_A, HW_MAP_B};
  const uint16_t n = net->n_layers < HW_MAX_LAYERS ? net->n_layers : HW_MAX_LAYERS;
  lea_init();  // LEA registers (incl. its stack pointer) are reset by every power failure
#ifdef IPSIM_NVM_SPI
  nvm_init();
#endif
  if (hw_stage_fetch() == 0) {
    hw_load_input(net, input);
    hw_layer_clear(net, 0);
    HW_BARRIER();
    hw_stage_store(1);
  }
  uint32_t base = 0;  // jobs of the layers before: the progress marker's running count
  for (uint16_t li = 0; li < n; ++li) {
    const nn_layer_t* l = &net->layers[li];
    if (hw_stage_load() == li + 1u) {
      const hw_in_t in = bufs[li & 1u];
      hw_map_t out = bufs[(li + 1u) & 1u];
      switch (l->op) {
        case NN_OP_CONV2D:
        case NN_OP_CONV1D:
          hw_conv(l, li, in, out, base);
          break;
        case NN_OP_MAXPOOL:
        case NN_OP_AVGPOOL:
          hw_pool(l, li, in, out, base);
          break;
        case NN_OP_FC:
          hw_fc(l, li, in, out, base);
          break;
        default:  // not used by the networks (ReLU is fused into the layers)
          dbg_exit(0xE1);
      }
      if (li + 1u < n) hw_layer_clear(net, (uint16_t)(li + 1u));
      HW_BARRIER();
      hw_stage_store((uint16_t)(li + 2u));
      dbg_marker(DBG_LAYER_DONE, li);
    }
    base += HW_LAYER_SPAN(l);
  }
#ifdef IPSIM_NVM_SPI
  const uint16_t nc = net->n_classes < 16 ? net->n_classes : 16;
  nvm_read(hw_scores, bufs[n & 1u], (uint16_t)(2u * nc));
  return hw_scores;
#else
  return bufs[n & 1u];
#endif
}
#endif
