// Slice planner of the depth-first strategy (depth_first_planner.h).
//
// Energy -> cycles. One charge delivers E = 0.5 C (v_on^2 - v_off^2). The load model
// (energy/load_model.h) draws I = 118 uA/MHz * f_MCLK (LDO assumption): a constant charge of
// 118 pC per cycle at any MCLK, plus 141 pC (0.423 nJ / 3 V) per FRAM cache miss. With a
// constant current the capacitor discharges linearly, so one charge runs
// N = C (v_on - v_off) / q_eff cycles, q_eff = 118 pC + miss_rate * 141 pC. From N the reboot
// (reset charge 102 nC, crt0 + boot) is subtracted and a margin kept for the cost model's error.
//
// Slice cycles = sum over the group's layers of the work of that layer's region + staging of
// the input band + a per-slice overhead. The coefficients were fitted by least squares to the
// DBG_SLICE_DONE marker intervals of the lea-mac depth-first images of kws, har and mnist
// under continuous power at 16 MHz (1226 slices, max error 7.9 %, mean 0.8 %; measured FRAM
// miss rate 0.12-0.15 per cycle), except pool_elem_fram, fitted to the standalone pool groups
// that tests/strategies/depth_first/test_planner_sim.py measures (their slices ran 31-53 %
// over the estimate without it). They are used for every kernel and MCLK: the charge per
// cycle does not depend on MCLK in the load model.
#include "kernels/strategies/depth_first_planner.h"

#include <math.h>
#include <string.h>

#include "kernels/strategies/depth_first_geometry.h"

enum {
  F_CONV_MAC,
  F_CONV_KROW,
  F_CONV_OUT,
  F_POOL_ELEM,
  F_POOL_OUT,
  F_POOL_ELEM_FRAM,
  F_FC_MAC,
  F_FC_CHUNK,
  F_CHANNEL,
  F_WEIGHT_WORD,
  F_STAGE_ROW,
  F_STAGE_WORD,
  F_LAYER_CALL,
  F_SLICE,
  F_COUNT
};

static const double kCoef[F_COUNT] = {
    8.85,    // per conv MAC: one word gathered into LEA RAM + 1.5 LEA cycles
    20.1,    // per kernel row (output x in_c x kh): one gather run
    1073.5,  // per conv output: LEA command (driver, LPM0, ISR), requantise, store
    106.2,   // per pool window element (CPU, kernels/nn)
    0.0,     // per pool output (absorbed by pool_elem in the fit)
    50.0,    // per pool window element read from a FRAM map (a pool that starts its group)
    1.5,     // per FC multiply-accumulate (LEA)
    642.5,   // per FC weight-row chunk (lea_w words): DMA set-up + LEA command
    580.2,   // per output channel of a region: weight row/channel + bias fetch
    1.5,     // per weight or FC input word moved by DMA into LEA RAM (not fitted)
    60.0,    // per input row segment staged from far FRAM, one DMA (not fitted)
    1.5,     // per input word staged (not fitted)
    150.0,   // per layer region call (not fitted)
    2500.0,  // per slice: locate, region arithmetic, commit, marker (not fitted)
};

#define Q_CYCLE (118e-6 / 1e6)                  // C per cycle: 118 uA/MHz (load_model.h)
#define Q_MISS ((6.347e-10 - 2.116e-10) / 3.0)  // C per FRAM miss beyond a hit (load_model.h)
#define RESET_CHARGE 102e-9                     // C, RST/BOR -> active (load_model.h)
#define DF_MAX_DIM 1024                         // longest map dimension planned

df_platform_t df_platform_default(void) {
  df_platform_t p;
  memset(&p, 0, sizeof p);
  p.capacitance_f = 100e-6;
  p.v_on = 2.8;
  p.v_off = 2.4;
  p.mclk_hz = 16e6;
  p.continuous = 0;
  p.kernel = NN_KERNEL_LEA_MAC;
  p.margin = 0.3;
  p.fram_miss_per_cycle = 0.15;
  p.boot_cycles = 3000;
  p.write_weight = 16.0;
  return p;
}

static uint32_t region_words(const nn_region_t* r) {
  return (uint32_t)(r->c1 - r->c0) * (uint32_t)(r->y1 - r->y0) * (uint32_t)(r->x1 - r->x0);
}

static uint16_t even(uint32_t n) {
  return (uint16_t)(n + (n & 1u));
}

static uint16_t ceil_div(uint32_t a, uint32_t b) {
  return (uint16_t)((a + b - 1u) / b);
}

// Adds the cost features of computing output region r of layer L; returns its MACs.
static uint32_t layer_work(const nn_layer_t* L, const nn_region_t* r, uint16_t chunk, double* f) {
  const uint32_t nc = (uint32_t)(r->c1 - r->c0), outs = region_words(r);
  f[F_LAYER_CALL] += 1;
  if (L->op == NN_OP_CONV2D || L->op == NN_OP_CONV1D) {
    const uint32_t k = (uint32_t)L->in.c * L->kh * L->kw;
    f[F_CONV_MAC] += (double)outs * k;
    f[F_CONV_OUT] += outs;
    f[F_CONV_KROW] += (double)outs * L->in.c * L->kh;
    f[F_CHANNEL] += nc;
    f[F_WEIGHT_WORD] += (double)nc * k;
    return outs * k;
  }
  if (L->op == NN_OP_MAXPOOL || L->op == NN_OP_AVGPOOL) {
    f[F_POOL_ELEM] += (double)outs * L->kh * L->kw;
    f[F_POOL_OUT] += outs;
    return 0;
  }
  if (L->op == NN_OP_FC) {
    const uint32_t k = (uint32_t)L->in.c * L->in.h * L->in.w;
    f[F_FC_MAC] += (double)nc * k;
    f[F_CHANNEL] += nc;
    f[F_WEIGHT_WORD] += (double)nc * k + k;  // rows + input
    f[F_FC_CHUNK] += (double)nc * ceil_div(k, chunk);
    return nc * k;
  }
  f[F_POOL_OUT] += outs;  // ReLU
  return 0;
}

static double cycles_of(const double* f) {
  double c = 0;
  for (int i = 0; i < F_COUNT; ++i) c += kCoef[i] * f[i];
  return c;
}

static void lea_buffers(const nn_network_t* net, uint16_t* w, uint16_t* x) {
  uint32_t conv_k = 2, fc_k = 2;
  for (uint16_t i = 0; i < net->n_layers; ++i) {
    const nn_layer_t* L = &net->layers[i];
    if (L->op == NN_OP_CONV2D || L->op == NN_OP_CONV1D) {
      const uint32_t k = (uint32_t)L->in.c * L->kh * L->kw;
      if (k > conv_k) conv_k = k;
    } else if (L->op == NN_OP_FC) {
      const uint32_t k = (uint32_t)L->in.c * L->in.h * L->in.w;
      if (k > fc_k) fc_k = k;
    }
  }
  *w = even(conv_k);
  *x = even(fc_k) > *w ? even(fc_k) : *w;
}

// Evaluates group e->g (its tile set, counts derived here) slice by slice.
static void evaluate(const nn_network_t* net, uint16_t chunk, df_group_est_t* e) {
  df_group_t* g = &e->g;
  const nn_layer_t* last = &net->layers[g->last];
  g->ny = ceil_div(last->out.h, g->ty);
  g->nx = ceil_div(last->out.w, g->tx);
  g->nc = ceil_div(last->out.c, g->tc);
  const uint32_t slices = (uint32_t)g->ny * g->nx * g->nc;
  const uint16_t n = (uint16_t)(g->last - g->first + 1u);
  const int staged = g->in_buf == DF_BUF_INPUT;
  uint32_t computed[DF_MAX_GROUP_LAYERS] = {0};
  e->max_cycles = e->total_cycles = 0;
  e->macs = 0;
  e->need[0] = e->need[1] = 0;
  nn_region_t r[DF_MAX_GROUP_LAYERS + 1];
  for (uint32_t s = 0; s < slices; ++s) {
    df_slice_regions(net->layers, g, (uint16_t)s, r);
    double f[F_COUNT] = {0};
    f[F_SLICE] = 1;
    unsigned arena = 0;
    if (staged) {
      const uint32_t w = region_words(&r[0]);
      if (w > e->need[0]) e->need[0] = (uint16_t)w;
      f[F_STAGE_ROW] += (double)(r[0].c1 - r[0].c0) * (r[0].y1 - r[0].y0);
      f[F_STAGE_WORD] += w;
      arena = 1;
    }
    for (uint16_t k = 1; k <= n; ++k) {
      const nn_layer_t* L = &net->layers[g->first + k - 1u];
      e->macs += layer_work(L, &r[k], chunk, f);
      // A pool that reads its input from FRAM (wait states, cache misses) rather than SRAM.
      if (k == 1 && !staged && (L->op == NN_OP_MAXPOOL || L->op == NN_OP_AVGPOOL))
        f[F_POOL_ELEM_FRAM] += (double)region_words(&r[k]) * L->kh * L->kw;
      if (k < n) {
        const uint32_t w = region_words(&r[k]);
        if (w > e->need[arena]) e->need[arena] = (uint16_t)(w > 0xFFFFu ? 0xFFFFu : w);
        computed[k - 1] += w;
      }
      arena ^= 1u;
    }
    const double c = cycles_of(f);
    if (c > e->max_cycles) e->max_cycles = c;
    e->total_cycles += c;
  }
  // One whole-group pass (no slicing): the reference for the halo recompute.
  df_group_t whole = *g;
  whole.ty = last->out.h;
  whole.tx = last->out.w;
  whole.tc = last->out.c;
  whole.ny = whole.nx = whole.nc = 1;
  df_slice_regions(net->layers, &whole, 0, r);
  double f[F_COUNT] = {0};
  e->golden_macs = 0;
  for (uint16_t k = 1; k <= n; ++k)
    e->golden_macs += layer_work(&net->layers[g->first + k - 1u], &r[k], chunk, f);
  memset(e->halo_words, 0, sizeof e->halo_words);
  for (uint16_t k = 1; k < n; ++k) e->halo_words[k - 1] = computed[k - 1] - region_words(&r[k]);
  e->write_bytes = 2u * nn_shape_words(last->out) + 2u * slices;
}

// Tile sizes worth trying along a dimension of n: the smallest for each slice count,
// largest first. Returns how many.
static uint16_t steps(uint16_t n, uint16_t* out) {
  uint16_t m = 0;
  for (uint16_t k = 1; k <= n; ++k) {
    const uint16_t t = ceil_div(n, k);
    if (m == 0 || out[m - 1] != t) out[m++] = t;
  }
  return m;
}

static int fits(const uint16_t* need, uint16_t arena_words) {
  return (uint32_t)even(need[0]) + even(need[1]) <= arena_words;
}

typedef struct {
  const nn_network_t* net;
  const df_platform_t* p;
  uint16_t chunk, arena_words;
  double budget;
} ctx_t;

// The cheapest feasible tile of layers [first, last] into *best (returns 0 if none), and the
// smallest largest-slice seen among the tiles that fit SRAM (*smallest).
static int best_group(const ctx_t* c, uint8_t first, uint8_t last, df_group_est_t* best,
                      double* smallest) {
  const nn_network_t* net = c->net;
  const nn_layer_t* L = &net->layers[last];
  uint16_t sy[DF_MAX_DIM], sx[DF_MAX_DIM], sc[DF_MAX_DIM];
  const uint16_t ny = steps(L->out.h, sy), nx = steps(L->out.w, sx), nc = steps(L->out.c, sc);
  int found = 0;
  *smallest = INFINITY;
  // Channel ranges too, where no channel is recomputed: one layer, or a first layer followed
  // only by channel-wise layers (pools, ReLU).
  int channel_wise = 1;
  for (uint8_t i = (uint8_t)(first + 1u); i <= last; ++i) {
    const uint8_t op = net->layers[i].op;
    if (op != NN_OP_MAXPOOL && op != NN_OP_AVGPOOL && op != NN_OP_RELU) channel_wise = 0;
  }
  const int fc = L->op == NN_OP_FC;
  // Candidates (ty, tx, tc): bands of rows (columns), largest first, then channel ranges.
  const uint32_t n_a = fc ? nc : (uint32_t)ny * nx;
  const uint32_t n_b = fc || !channel_wise ? 0 : (uint32_t)nx * nc;
  for (uint32_t i = 0; i < n_a + n_b; ++i) {
    df_group_est_t e;
    memset(&e, 0, sizeof e);
    e.g.first = first;
    e.g.last = last;
    e.g.in_buf = first == 0 ? DF_BUF_INPUT : DF_BUF_A;
    if (fc) {
      e.g.ty = 1, e.g.tx = 1, e.g.tc = sc[i];
    } else if (i < n_a) {
      e.g.ty = sy[i / nx], e.g.tx = sx[i % nx], e.g.tc = L->out.c;
    } else {
      const uint32_t j = i - n_a;
      e.g.ty = 1, e.g.tx = sx[j / nc], e.g.tc = sc[j % nc];
      if (e.g.tc == L->out.c) continue;
    }
    evaluate(net, c->chunk, &e);
    if (!fits(e.need, c->arena_words)) continue;
    if (e.max_cycles < *smallest) *smallest = e.max_cycles;
    if (e.max_cycles > c->budget) continue;
    const uint32_t slices = (uint32_t)e.g.ny * e.g.nx * e.g.nc;
    // Expected re-execution: about one power failure per charge, each losing half a slice.
    const double failures = c->p->continuous ? 0.0 : e.total_cycles / c->budget;
    e.cost = e.total_cycles + failures * 0.5 * (e.total_cycles / slices) +
             c->p->write_weight * e.write_bytes;
    if (!found || e.cost < best->cost) {
      *best = e;
      found = 1;
    }
  }
  return found;
}

int df_plan_make(const nn_network_t* net, const df_platform_t* p, df_plan_result_t* res) {
  memset(res, 0, sizeof *res);
  res->refused_layer = -1;
  lea_buffers(net, &res->lea_w_words, &res->lea_x_words);
  const int32_t arena = DF_LEA_RAM_WORDS - DF_LEA_STACK_WORDS - DF_LEA_RESULT_WORDS -
                        res->lea_w_words - res->lea_x_words;
  res->arena_words = arena > 0 ? (uint16_t)arena : 0;
  res->q_eff = Q_CYCLE + p->fram_miss_per_cycle * Q_MISS;
  res->energy_j = 0.5 * p->capacitance_f * (p->v_on * p->v_on - p->v_off * p->v_off);
  res->charge_cycles = p->capacitance_f * (p->v_on - p->v_off) / res->q_eff;
  res->reboot_cycles = RESET_CHARGE / res->q_eff + p->boot_cycles;
  res->budget_cycles =
      p->continuous ? INFINITY : (res->charge_cycles - res->reboot_cycles) * (1.0 - p->margin);
  res->j_per_cycle = res->q_eff * 0.5 * (p->v_on + p->v_off);
  const uint16_t n = net->n_layers;
  uint32_t layerwise = nn_shape_words(net->in);
  for (uint16_t i = 0; i < n; ++i) layerwise += nn_shape_words(net->layers[i].out);
  res->layerwise_write_bytes = 2u * layerwise;
  int dims_ok = 1;
  for (uint16_t i = 0; i < n; ++i)
    if (net->layers[i].out.h > DF_MAX_DIM || net->layers[i].out.w > DF_MAX_DIM ||
        net->layers[i].out.c > DF_MAX_DIM)
      dims_ok = 0;
  if (arena <= 0 || n == 0 || n > 16 || !dims_ok) {
    res->status = DF_PLAN_REFUSED_SRAM;
    return res->status;
  }

  ctx_t c = {net, p, res->lea_w_words, res->arena_words, res->budget_cycles};
  // Best tile of every candidate group [first, last] (at most DF_MAX_GROUP_LAYERS layers).
  df_group_est_t cand[16][16];
  int ok[16][16];
  double worst_needed = 0;  // the budget every one-layer group needs
  for (uint8_t first = 0; first < n; ++first)
    for (uint8_t last = first; last < n && last - first < DF_MAX_GROUP_LAYERS; ++last) {
      double smallest;
      ok[first][last] = best_group(&c, first, last, &cand[first][last], &smallest);
      if (first == last && smallest > worst_needed) {
        worst_needed = smallest;
        if (!ok[first][last] && smallest > res->refused_cycles) {
          res->refused_layer = first;
          res->refused_cycles = smallest;
        }
      }
    }
  // The smallest capacitance with which every one-layer group has a feasible tile.
  if (!p->continuous && isfinite(worst_needed))
    res->min_capacitance_f =
        (worst_needed / (1.0 - p->margin) + res->reboot_cycles) * res->q_eff / (p->v_on - p->v_off);

  // Every grouping (cut or not after each layer), buffers alternating between fmap_a/b.
  double best_cost = INFINITY;
  for (uint32_t cuts = 0; cuts < (1u << (n - 1)); ++cuts) {
    df_group_est_t groups[16];
    uint16_t ng = 0;
    uint8_t start = 0;
    int feasible = 1;
    for (uint8_t i = 0; i < n && feasible; ++i) {
      // Bit i of `cuts` (in the order of itertools.product: the first layer is the top bit).
      const int cut = i == n - 1 || ((cuts >> (n - 2 - i)) & 1u);
      if (!cut) continue;
      if (i - start >= DF_MAX_GROUP_LAYERS || !ok[start][i] || ng == DF_MAX_GROUPS)
        feasible = 0;
      else
        groups[ng++] = cand[start][i];
      start = (uint8_t)(i + 1u);
    }
    if (!feasible) continue;
    int assigned = -1;
    for (int start_buf = 0; start_buf < 2 && assigned < 0; ++start_buf) {
      int all = 1;
      for (uint16_t k = 0; k < ng; ++k)
        if (nn_shape_words(net->layers[groups[k].g.last].out) > net->buf_words[(start_buf + k) % 2])
          all = 0;
      if (all) assigned = start_buf;
    }
    uint16_t need[2] = {0, 0};
    double cost = 0;
    for (uint16_t k = 0; k < ng; ++k) {
      for (int a = 0; a < 2; ++a)
        if (groups[k].need[a] > need[a]) need[a] = groups[k].need[a];
      cost += groups[k].cost;
    }
    if (assigned < 0 || !fits(need, res->arena_words) || !(cost < best_cost)) continue;
    best_cost = cost;
    res->plan.n_groups = ng;
    res->plan.scratch_words[0] = even(need[0] ? need[0] : 1);
    res->plan.scratch_words[1] = even(need[1] ? need[1] : 1);
    for (uint16_t k = 0; k < ng; ++k) {
      res->est[k] = groups[k];
      df_group_t* g = &res->est[k].g;
      g->out_buf = (uint8_t)((assigned + k) % 2);
      g->in_buf = g->first == 0 ? DF_BUF_INPUT : (uint8_t)(g->out_buf ^ 1u);
      res->plan.groups[k] = *g;
    }
  }
  if (!isfinite(best_cost)) {
    res->status = res->refused_layer >= 0 ? DF_PLAN_REFUSED_ENERGY : DF_PLAN_REFUSED_SRAM;
    return res->status;
  }
  res->plan.magic = DF_PLAN_MAGIC;
  res->plan.total_slices = 0;
  res->write_bytes = 0;
  res->total_cycles = 0;
  for (uint16_t k = 0; k < res->plan.n_groups; ++k) {
    const df_group_t* g = &res->plan.groups[k];
    res->plan.total_slices = (uint16_t)(res->plan.total_slices + g->ny * g->nx * g->nc);
    res->write_bytes += res->est[k].write_bytes;
    res->total_cycles += res->est[k].total_cycles;
  }
  res->status = DF_PLAN_OK;
  return res->status;
}
