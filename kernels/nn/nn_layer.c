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

void nn_input_rows(const nn_layer_t* layer, uint16_t y0, uint16_t y1, uint16_t* in_y0,
                   uint16_t* in_y1) {
  switch (layer->op) {
    case NN_OP_CONV2D:
    case NN_OP_CONV1D:
    case NN_OP_MAXPOOL:
    case NN_OP_AVGPOOL:
      *in_y0 = (uint16_t)(y0 * layer->sh);
      *in_y1 = (uint16_t)((y1 - 1) * layer->sh + layer->kh);
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
      *in_x0 = (uint16_t)(x0 * layer->sw);
      *in_x1 = (uint16_t)((x1 - 1) * layer->sw + layer->kw);
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
