// The lea-mac kernel: one LEA MAC per conv output and per FC neuron (lea_kernels.c), pools
// on the CPU.
#include "kernels/runtime/lea.h"
#include "kernels/runtime/sections.h"
#include "kernels/strategies/kernel.h"
#include "kernels/strategies/lea_kernels.h"

const uint8_t kernel_id = NN_KERNEL_LEA_MAC;
const char kernel_name[] = "lea-mac";

// LEA RAM (2048 words), as hawaii.c: weights 900 + operand vector 1080 words; the LEA stack
// keeps the top 132 bytes. The external-FRAM images split the same 1980 words otherwise:
// weights 512 and one receptive field 512 (mnist conv2's 500 fit), then a staging area of 956
// words for a conv tile's input (kernel_stage); an FC input (up to har's 1080 words) is staged
// from the operand vector's start, where it is resident.
#ifdef IPSIM_NVM_SPI
#define KM_W_WORDS 512
#define KM_X_WORDS 512
#define KM_STAGE_WORDS 956
#else
#define KM_W_WORDS 900
#define KM_X_WORDS 1080
#define KM_STAGE_WORDS 0
#endif
IPSIM_LEARAM static int16_t km_w[KM_W_WORDS];
IPSIM_LEARAM static int16_t km_x[KM_X_WORDS + KM_STAGE_WORDS];
static const lk_bufs_t km_bufs = {km_w, KM_W_WORDS, km_x, KM_X_WORDS};

void kernel_init(void) {
  lea_init();
}

#ifdef IPSIM_NVM_SPI
int16_t* kernel_stage(const nn_layer_t* layer, uint16_t* words) {
  switch (layer->op) {
    case NN_OP_CONV2D:
    case NN_OP_CONV1D:
      *words = KM_STAGE_WORDS;
      return km_x + KM_X_WORDS;
    case NN_OP_FC:
      *words = KM_X_WORDS + KM_STAGE_WORDS;
      return km_x;
    default:
      *words = 0;
      return 0;
  }
}
#endif

int kernel_layer_forward(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                         const nn_region_t* region) {
  switch (layer->op) {
    case NN_OP_CONV2D:
    case NN_OP_CONV1D:
      lk_conv_region(&km_bufs, layer, in, out, region);
      return NN_OK;
    case NN_OP_FC:
#ifdef IPSIM_NVM_SPI
      if (in->data == km_x) {  // staged by kernel_stage: resident, no DMA
        static const lk_bufs_t fc = {km_w, KM_W_WORDS, km_x, KM_X_WORDS + KM_STAGE_WORDS};
        for (uint16_t j = region->c0; j < region->c1; ++j)
          out->data[(uint16_t)(j - out->c0) * out->chan_stride] =
              lk_fc_neuron(&fc, layer, j, in->data, 1);
        return NN_OK;
      }
#endif
      lk_fc_region(&km_bufs, layer, in, out, region);
      return NN_OK;
    default:
      return nn_layer_forward(layer, in, out, region);
  }
}
