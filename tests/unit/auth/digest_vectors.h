#pragma once
// Loads /work/shared/corpus/digest/digest_vectors.tsv (columns: username,
// realm, password, method, uri, nonce, nc, cnonce, qop, algorithm,
// expected_response, opaque, HA1, HA2, source, status).
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef GW_CORPUS_DIR
#error "GW_CORPUS_DIR must name the shared corpus directory"
#endif

namespace gw::auth::testing {

struct DigestVector {
  std::string username, realm, password, method, uri, nonce, nc, cnonce, qop, algorithm, response,
      opaque, ha1, ha2, source, status;
};

inline std::string DigestVectorsPath() {
  return std::string(GW_CORPUS_DIR) + "/digest/digest_vectors.tsv";
}

// Empty when the file is missing; callers assert on it.
inline std::vector<DigestVector> LoadDigestVectors() {
  std::vector<DigestVector> rows;
  std::ifstream in(DigestVectorsPath());
  if (!in) return rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (header) {
      header = false;
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::string cell;
    std::istringstream cells(line);
    while (std::getline(cells, cell, '\t')) f.push_back(cell);
    if (!line.empty() && line.back() == '\t') f.push_back("");
    f.resize(16);
    rows.push_back({f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12],
                    f[13], f[14], f[15]});
  }
  return rows;
}

}  // namespace gw::auth::testing
