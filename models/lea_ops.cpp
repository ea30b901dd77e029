#include "models/lea_ops.h"

namespace ipsim::lea_ops {

int32_t mac_q15(const int16_t* a, const int16_t* b, std::size_t n) {
  int64_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += int32_t{a[i]} * b[i];
  return sat32(2 * sum);
}

int16_t fir_q15_output(const int16_t* x, const int16_t* c, std::size_t taps) {
  int64_t sum = 0;
  for (std::size_t j = 0; j < taps; ++j) sum += int32_t{x[j]} * c[taps - 1 - j];
  return sat16(sum >> 15);
}

int16_t mpy_matrix_row_q15_output(const int16_t* x, const int16_t* b, std::size_t rows,
                                  std::size_t cols, std::size_t c) {
  int64_t sum = 0;
  for (std::size_t r = 0; r < rows; ++r) sum += int32_t{x[r]} * b[r * cols + c];
  return sat16(sum >> 15);
}

Extremum max_q15_vector(const int16_t* x, std::size_t n) {
  Extremum e{INT16_MIN, 0};
  for (std::size_t i = 0; i < n; ++i)
    if (x[i] >= e.value) e = {x[i], static_cast<uint16_t>(i)};
  return e;
}

Extremum min_q15_vector(const int16_t* x, std::size_t n) {
  Extremum e{INT16_MAX, 0};
  for (std::size_t i = 0; i < n; ++i)
    if (x[i] <= e.value) e = {x[i], static_cast<uint16_t>(i)};
  return e;
}

int32_t fir_q31_output(const int32_t* x, const int32_t* c, std::size_t taps) {
  int64_t acc = 0;
  for (std::size_t j = 0; j < taps; ++j) acc = sat32(acc + q31mpy(x[j], c[taps - 1 - j]));
  return static_cast<int32_t>(acc);
}

}  // namespace ipsim::lea_ops
