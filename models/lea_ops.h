#pragma once
// Arithmetic of the LEA commands, bit-exact to TI DSPLib 1.30's definitions (facts §4.3
// [DSPLIB]). Each function works on gathered, contiguous operands; Lea does the addressing.
//
// Semantics and where they come from (DSPLib's portable C / MPY32 paths of the same functions,
// which define what the LEA versions return):
// - add/sub (ADDMATRIX, SUBMATRIX): saturating Q15 (msp_add_q15/msp_sub_q15 use
//   __saturated_add_q15/__saturated_sub_q15).
// - mpy (MPYMATRIX): (a*b) >> 15 with an arithmetic (flooring) shift, i.e. the MPY32 MPYFRAC
//   RESHI that msp_mpy_q15 reads; no rounding. The one overflow, -1 * -1, saturates to 0x7FFF
//   (the MPY32 path would wrap to 0x8000; LEA is documented as saturating — choice).
// - mac (MAC, MACMATRIX): IQ31 = sat32(2 * sum(a*b)), the sum kept exact (MPY32 MACS with
//   MPYFRAC|MPYSAT in msp_mac_q15); saturation applies once to the final sum.
// - fir (FIR): y[i] = sat16((sum_j x[i+j] * c[T-1-j]) >> 15), flooring shift, no rounding
//   (msp_fir_q15's C path: __saturate(result >> 15)); coefficients are applied reversed.
// - mpy_matrix_row (MPYMATRIXROW): y[c] = sat16((sum_r x[r] * B[r][c]) >> 15), B row-major,
//   as msp_matrix_mpy_q15's C path.
// - max/min (MAX, MIN): value and index; ties take the last occurrence (msp_max_q15's C path
//   compares with >=; msp_min_q15 likewise with <=).
// - max_matrix/min_matrix (MAXMATRIX, MINMATRIX): element-wise max/min of two vectors.
// - add_q31 (ADDLONGMATRIX): saturating IQ31 add (msp_add_iq31's C path: __saturate of the
//   64-bit sum).
// - fir_q31 (FIRLONG): y[i] = sum_j q31mpy(x[i+j], c[T-1-j]), the sum saturated to int32 after
//   every tap (msp_fir_iq31's C path); q31mpy(a, b) = (a*b) >> 31 with a flooring shift, the
//   MPY32 fractional product, saturated (only -1 * -1 overflows).
#include <cstddef>
#include <cstdint>

namespace ipsim::lea_ops {

inline int16_t sat16(int64_t v) {
  return static_cast<int16_t>(v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v);
}
inline int32_t sat32(int64_t v) {
  return static_cast<int32_t>(v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v);
}
inline int16_t add_q15(int16_t a, int16_t b) {
  return sat16(int32_t{a} + b);
}
inline int16_t sub_q15(int16_t a, int16_t b) {
  return sat16(int32_t{a} - b);
}
inline int16_t mpy_q15(int16_t a, int16_t b) {
  return sat16((int32_t{a} * b) >> 15);
}
inline int16_t max_q15(int16_t a, int16_t b) {
  return a > b ? a : b;
}
inline int16_t min_q15(int16_t a, int16_t b) {
  return a < b ? a : b;
}

inline int32_t add_q31(int32_t a, int32_t b) {
  return sat32(int64_t{a} + b);
}
inline int32_t q31mpy(int32_t a, int32_t b) {
  return sat32((int64_t{a} * b) >> 31);
}
// One FIRLONG output: taps x[0..T-1] of the input window, coefficients c[0..T-1].
int32_t fir_q31_output(const int32_t* x, const int32_t* c, std::size_t taps);

int32_t mac_q15(const int16_t* a, const int16_t* b, std::size_t n);
// One FIR output: taps x[0..T-1] of the input window, coefficients c[0..T-1].
int16_t fir_q15_output(const int16_t* x, const int16_t* c, std::size_t taps);
// One output column c of row x (length rows) times B (rows x cols, row-major).
int16_t mpy_matrix_row_q15_output(const int16_t* x, const int16_t* b, std::size_t rows,
                                  std::size_t cols, std::size_t c);
struct Extremum {
  int16_t value;
  uint16_t index;
};
Extremum max_q15_vector(const int16_t* x, std::size_t n);
Extremum min_q15_vector(const int16_t* x, std::size_t n);

}  // namespace ipsim::lea_ops
