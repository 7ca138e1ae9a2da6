#pragma once
// Seed material for the DRBG. Unavailable if the source cannot deliver.
#include <cstddef>
#include <span>

#include "gw/core/status.h"

namespace gw::hal {

class Entropy {
 public:
  virtual ~Entropy() = default;
  Status Fill(std::span<std::byte> out) { return DoFill(out); }

 private:
  virtual Status DoFill(std::span<std::byte> out) = 0;
};

}  // namespace gw::hal
