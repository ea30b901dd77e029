// The depth-first slice geometry (kernels/strategies/depth_first_geometry.c), for every layer
// group and tile of every network: df_slice_next visits each slice once, channel block
// outermost, and agrees with df_slice_pos; df_slice_regions' inline span arithmetic gives the
// input bands nn_input_rows / nn_input_cols give (kernels/nn, the layers' own definition), but
// for the full-width conv bands of lea-fir.
#include <catch2/catch.hpp>
#include <set>
#include <tuple>

extern "C" {
#include "kernels/host/golden.h"
#include "kernels/strategies/depth_first_geometry.h"
#include "kernels/strategies/depth_first_stage.h"
}

namespace {

uint16_t ceil_div(uint16_t a, uint16_t b) {
  return static_cast<uint16_t>((a + b - 1) / b);
}

// Checks group [first, last] of net with tile (ty, tx, tc); returns the slices visited.
unsigned check_group(const nn_network_t* net, uint8_t first, uint8_t last, uint16_t ty, uint16_t tx,
                     uint16_t tc) {
  const nn_shape_t o = net->layers[last].out;
  df_group_t g{};
  g.first = first, g.last = last, g.ty = ty, g.tx = tx, g.tc = tc;
  g.ny = ceil_div(o.h, ty), g.nx = ceil_div(o.w, tx), g.nc = ceil_div(o.c, tc);
  const unsigned slices = unsigned(g.ny) * g.nx * g.nc;
  df_slice_pos_t p;
  df_slice_pos(net->layers, &g, 0, &p);
  std::set<std::tuple<int, int, int>> seen;
  for (unsigned s = 0; s < slices; ++s) {
    df_slice_pos_t q;
    df_slice_pos(net->layers, &g, static_cast<uint16_t>(s), &q);
    REQUIRE((q.c0 == p.c0 && q.y0 == p.y0 && q.x0 == p.x0));
    // Channel block outermost, then rows, then columns.
    REQUIRE(p.c0 == (s / (g.ny * g.nx)) * tc);
    REQUIRE(p.y0 == ((s / g.nx) % g.ny) * ty);
    REQUIRE(p.x0 == (s % g.nx) * tx);
    seen.insert({p.c0, p.y0, p.x0});
    for (uint8_t fw = 0; fw < 2; ++fw) {
      nn_region_t r[DF_MAX_GROUP_LAYERS + 1];
      const uint16_t n = df_slice_regions(net->layers, &g, &p, fw, r);
      REQUIRE(n == last - first + 1);
      for (uint16_t k = n; k > 0; --k) {
        const nn_layer_t* L = &net->layers[first + k - 1];
        uint16_t y0, y1, x0, x1;
        nn_input_rows(L, r[k].y0, r[k].y1, &y0, &y1);
        nn_input_cols(L, r[k].x0, r[k].x1, &x0, &x1);
        REQUIRE((r[k - 1].y0 == y0 && r[k - 1].y1 == y1));
        INFO("group " << int(first) << "-" << int(last) << " tile " << ty << "x" << tx << "x" << tc
                      << " slice " << s << " layer " << first + k - 1 << " out cols [" << r[k].x0
                      << ", " << r[k].x1 << ") fw " << int(fw) << ": in cols [" << r[k - 1].x0
                      << ", " << r[k - 1].x1 << ") expected [" << x0 << ", " << x1 << ")");
        // On lea-fir a conv's output band spans all its columns (the next layer reads part).
        const uint8_t prev_op = k >= 2 ? net->layers[first + k - 2].op : 0;
        if (fw && (prev_op == NN_OP_CONV2D || prev_op == NN_OP_CONV1D)) x0 = 0, x1 = L->in.w;
        REQUIRE((r[k - 1].x0 == x0 && r[k - 1].x1 == x1));
      }
    }
    const uint8_t more = df_slice_next(net->layers, &g, &p);
    REQUIRE(more == (s + 1 < slices ? 1 : 0));
  }
  REQUIRE(seen.size() == slices);
  REQUIRE((p.c0 == 0 && p.y0 == 0 && p.x0 == 0));  // back at the first slice
  return slices;
}

}  // namespace

TEST_CASE("depth-first slice order and regions, every group and tile of every network",
          "[depth_first]") {
  for (unsigned i = 0; i < golden_network_count; ++i) {
    const nn_network_t* net = golden_networks[i];
    INFO(net->name);
    unsigned checked = 0;
    for (uint8_t first = 0; first < net->n_layers; ++first)
      for (uint8_t last = first; last < net->n_layers && last - first < DF_MAX_GROUP_LAYERS;
           ++last) {
        const nn_shape_t o = net->layers[last].out;
        // A few tiles per dimension: 1, a middle size, the whole.
        for (uint16_t ty : {uint16_t(1), uint16_t((o.h + 2) / 3), o.h})
          for (uint16_t tx : {uint16_t(1), uint16_t((o.w + 2) / 3), o.w})
            for (uint16_t tc : {uint16_t(1), uint16_t((o.c + 2) / 3), o.c})
              if (ty && tx && tc) checked += check_group(net, first, last, ty, tx, tc);
      }
    CHECK(checked > 0);
  }
}

// The staging rule the firmware and the planner share (depth_first_stage.h): a single conv
// reading fmap_a stages its band when the gathers it saves outweigh the copies (kws conv2's
// whole 352-word input, one DMA run; a 3x2x16 tile, full-width rows of 20 words, by DMA per
// channel), not when they do not (one output per slice), nor in a two-layer group, nor from
// the sample input, nor when the band exceeds the arena.
TEST_CASE("depth-first stages a single conv's FRAM input only when it pays", "[depth_first]") {
  const nn_network_t* net = golden_network("kws");
  REQUIRE(net != nullptr);
  REQUIRE(net->layers[2].op == NN_OP_CONV2D);
  const nn_shape_t o = net->layers[2].out;  // 16 x 9 x 2
  auto stages = [&](uint8_t first, uint8_t last, uint8_t in_buf, uint16_t ty, uint16_t tx,
                    uint16_t tc, uint16_t arena) {
    df_group_t g{};
    g.first = first, g.last = last, g.in_buf = in_buf, g.out_buf = DF_BUF_B;
    g.ty = ty, g.tx = tx, g.tc = tc;
    const nn_shape_t lo = net->layers[last].out;
    g.ny = ceil_div(lo.h, ty), g.nx = ceil_div(lo.w, tx), g.nc = ceil_div(lo.c, tc);
    df_slice_pos_t p{};
    nn_region_t r[DF_MAX_GROUP_LAYERS + 1];
    REQUIRE(df_slice_regions(net->layers, &g, &p, 0, r) == last - first + 1);
    return df_stage_fram_input(net->layers, &g, r, arena);
  };
  CHECK(stages(2, 2, DF_BUF_A, o.h, o.w, o.c, 1678));
  CHECK(stages(2, 2, DF_BUF_A, 3, 2, 16, 1678));
  CHECK_FALSE(stages(2, 2, DF_BUF_A, 1, 1, 1, 1678));
  CHECK_FALSE(stages(2, 2, DF_BUF_A, o.h, o.w, o.c, 300));  // 352 words do not fit
  CHECK_FALSE(stages(2, 3, DF_BUF_A, o.h, o.w, o.c, 1678));
  CHECK_FALSE(stages(0, 0, DF_BUF_INPUT, 23, 8, 8, 1678));
  // The copies: one DMA run of the whole map; per channel one run of 5 rows x 4 columns.
  const nn_region_t whole = {0, 8, 0, 11, 0, 4};
  CHECK(df_stage_cycles(net->layers[2].in, &whole) ==
        DF_STAGE_RUN + DF_STAGE_DMA_SETUP + DF_STAGE_DMA_WORD_X4 * 352u / 4u);
}
