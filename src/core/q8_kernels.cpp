#include "core/q8_kernels.hpp"

#include <atomic>

#include "core/error.hpp"

namespace foresight {

namespace {

const Q8Kernels& kernels_of(Isa isa) { return isa == Isa::Avx512 ? kQ8Avx512 : kQ8Avx2; }

std::atomic<Isa> active{cpu_supports(Isa::Avx512) ? Isa::Avx512 : Isa::Avx2};

}  // namespace

std::string_view isa_name(Isa isa) { return isa == Isa::Avx512 ? "AVX-512" : "AVX2"; }

bool cpu_supports(Isa isa) {
  // The check covers the operating system's support too (the saved zmm state); the init is
  // needed when it runs among the static constructors, as the first choice of set does.
  __builtin_cpu_init();
  return isa == Isa::Avx2 ? __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
                          : __builtin_cpu_supports("avx512f");
}

const Q8Kernels& q8_kernels() { return kernels_of(active.load(std::memory_order_relaxed)); }

Isa q8_isa() { return active.load(); }

void set_q8_isa(Isa isa) {
  if (!cpu_supports(isa)) fail("this CPU has no {}", isa_name(isa));
  active.store(isa);
}

}  // namespace foresight
