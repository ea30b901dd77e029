// The lea-fir kernel: convolutions as HAWAII's LEA FIRs and adds (kernels/nn/nn_conv_fir.c
// on the LEA, kernels/runtime/nn_fir_lea.c), FC neurons as one LEA MAC each (lea_kernels.c,
// in the same LEA RAM buffers), pools on the CPU.
#include "kernels/nn/nn_conv_fir.h"
#include "kernels/runtime/lea.h"
#include "kernels/runtime/sections.h"
#include "kernels/strategies/kernel.h"
#include "kernels/strategies/lea_kernels.h"

const uint8_t kernel_id = NN_KERNEL_LEA_FIR;
const char kernel_name[] = "lea-fir";

// LEA RAM is 2048 words. x holds mnist's largest band and its 640-word FC input (the FC
// layers reuse these buffers); the top 102 words are left to the LEA stack and lk_result.
// The external-FRAM images split the same 1944 words otherwise: bands of 256 words and FIR
// outputs of 128 (smaller bands, more LEA commands, the same bits), then a staging area of
// 1288 words after x for a conv tile's input (kernel_stage: mnist conv2's 1200-word rows
// fit); an FC input (up to har's 1080 words) is staged from x's start, where it is resident.
#ifdef IPSIM_NVM_SPI
#define FIR_X_WORDS 256
#define FIR_OUT_WORDS 128
#define FIR_STAGE_WORDS 1288
#else
#define FIR_X_WORDS 656
#define FIR_OUT_WORDS 424
#define FIR_STAGE_WORDS 0
#endif
#define FIR_C_WORDS 16

IPSIM_LEARAM static int16_t fir_x[FIR_X_WORDS + FIR_STAGE_WORDS];
IPSIM_LEARAM static int16_t fir_c[FIR_C_WORDS];
IPSIM_LEARAM static int16_t fir_row[FIR_OUT_WORDS];
IPSIM_LEARAM static int16_t fir_row_sum[FIR_OUT_WORDS];
IPSIM_LEARAM static int16_t fir_acc[FIR_OUT_WORDS];

const nn_fir_work_t nn_fir_work = {fir_x,   FIR_X_WORDS, fir_c,   FIR_C_WORDS,
                                   fir_row, fir_row_sum, fir_acc, FIR_OUT_WORDS};

void kernel_init(void) {
  lea_init();
}

#ifdef IPSIM_NVM_SPI
int16_t* kernel_stage(const nn_layer_t* layer, uint16_t* words) {
  switch (layer->op) {
    case NN_OP_CONV2D:
    case NN_OP_CONV1D:
      *words = FIR_STAGE_WORDS;
      return fir_x + FIR_X_WORDS;
    case NN_OP_FC:
      *words = FIR_X_WORDS + FIR_STAGE_WORDS;
      return fir_x;
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
#ifdef NN_FIR_PADDED  // the network pads (mnist8): the padded FIR convolution
      return nn_conv_fir_padded(layer, in, out, region, &nn_fir_work);
#else
      return nn_conv_fir(layer, in, out, region, &nn_fir_work);
#endif
    case NN_OP_FC: {
#ifdef IPSIM_NVM_SPI
      if (in->data == fir_x) {  // staged by kernel_stage: resident, no DMA
        const lk_bufs_t fc = {fir_row, FIR_OUT_WORDS, fir_x, FIR_X_WORDS + FIR_STAGE_WORDS};
        for (uint16_t j = region->c0; j < region->c1; ++j)
          out->data[(uint16_t)(j - out->c0) * out->chan_stride] =
              lk_fc_neuron(&fc, layer, j, in->data, 1);
        return NN_OK;
      }
#endif
      // FC input in the FIR band buffer, weight-row chunks in the FIR output buffer.
      const lk_bufs_t b = {nn_fir_work.row, nn_fir_work.out_words, nn_fir_work.x,
                           nn_fir_work.x_words};
      lk_fc_region(&b, layer, in, out, region);
      return NN_OK;
    }
    default:
      return nn_layer_forward(layer, in, out, region);
  }
}
