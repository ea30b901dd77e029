#include "kernels/nn/nn_internal.h"

int16_t nn_wbuf[NN_WBUF_WORDS];

nn_src_t nn_src_dense(const int16_t* data, nn_shape_t shape) {
  nn_src_t v = {data, 0, 0, 0, (uint16_t)(shape.h * shape.w), shape.w};
  return v;
}

nn_dst_t nn_dst_dense(int16_t* data, nn_shape_t shape) {
  nn_dst_t v = {data, 0, 0, 0, (uint16_t)(shape.h * shape.w), shape.w};
  return v;
}

nn_region_t nn_region_full(const nn_layer_t* layer) {
  nn_region_t r = {0, layer->out.c, 0, layer->out.h, 0, layer->out.w};
  return r;
}

/* Input indices [*i0, *i1) that outputs [o0, o1) read along one axis (stride s, window k,
 * padding p), clipped to the map's n indices: the padding is zeros, not stored. */
static void nn_input_span(uint16_t o0, uint16_t o1, uint16_t s, uint16_t k, uint16_t p, uint16_t n,
                          uint16_t* i0, uint16_t* i1) {
  const int32_t lo = (int32_t)o0 * s - p, hi = (int32_t)(o1 - 1) * s - p + k;
  *i0 = (uint16_t)(lo < 0 ? 0 : lo);
  *i1 = (uint16_t)(hi > (int32_t)n ? (int32_t)n : hi);
}

void nn_input_rows(const nn_layer_t* layer, uint16_t y0, uint16_t y1, uint16_t* in_y0,
                   uint16_t* in_y1) {
  switch (layer->op) {
    case NN_OP_CONV2D:
    case NN_OP_CONV1D:
    case NN_OP_MAXPOOL:
    case NN_OP_AVGPOOL:
      nn_input_span(y0, y1, layer->sh, layer->kh, layer->ph, layer->in.h, in_y0, in_y1);
      break;
    case NN_OP_RELU:
      *in_y0 = y0;
      *in_y1 = y1;
      break;
    default: /* FC reads everything */
      *in_y0 = 0;
      *in_y1 = layer->in.h;
      break;
  }
}

void nn_input_cols(const nn_layer_t* layer, uint16_t x0, uint16_t x1, uint16_t* in_x0,
                   uint16_t* in_x1) {
  switch (layer->op) {
    case NN_OP_CONV2D:
    case NN_OP_CONV1D:
    case NN_OP_MAXPOOL:
    case NN_OP_AVGPOOL:
      nn_input_span(x0, x1, layer->sw, layer->kw, layer->pw, layer->in.w, in_x0, in_x1);
      break;
    case NN_OP_RELU:
      *in_x0 = x0;
      *in_x1 = x1;
      break;
    default:
      *in_x0 = 0;
      *in_x1 = layer->in.w;
      break;
  }
}

int nn_layer_forward(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                     const nn_region_t* region) {
  switch (layer->op) {
    case NN_OP_CONV2D:
      return nn_conv2d(layer, in, out, region);
    case NN_OP_CONV1D:
      return nn_conv1d(layer, in, out, region);
    case NN_OP_MAXPOOL:
      return nn_maxpool(layer, in, out, region);
    case NN_OP_AVGPOOL:
      return nn_avgpool(layer, in, out, region);
    case NN_OP_FC:
      return nn_fc(layer, in, out, region);
    case NN_OP_RELU:
      return nn_relu(layer, in, out, region);
    default:
      return NN_ERR_OP;
  }
}

int nn_layer_rows(const nn_layer_t* layer, const int16_t* in, uint16_t in_y0, uint16_t in_rows,
                  int16_t* out, uint16_t y0, uint16_t y1) {
  nn_src_t src = {in, 0, in_y0, 0, (uint16_t)(in_rows * layer->in.w), layer->in.w};
  nn_dst_t dst = {out, 0, y0, 0, (uint16_t)((y1 - y0) * layer->out.w), layer->out.w};
  nn_region_t r = {0, layer->out.c, y0, y1, 0, layer->out.w};
  return nn_layer_forward(layer, &src, &dst, &r);
}
