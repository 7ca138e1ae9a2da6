// The digest credentials parser and the verifier on arbitrary
// Authorization values: views stay inside the input, a refused header fills
// nothing, and Verify never accepts credentials it did not issue a nonce for.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "gw/auth/credentials.h"
#include "gw/auth/drbg.h"
#include "gw/auth/nonce.h"
#include "gw/auth/nonce_count.h"
#include "gw/auth/verifier.h"
#include "gw/testing/fake_hal.h"

namespace {

struct Rig {
  gw::testing::FakeClock clock;
  gw::testing::FakeEntropy entropy;
  gw::auth::Drbg drbg{entropy};
  gw::auth::NonceManager nonces{clock};
  gw::auth::NonceCountTable counts;
  gw::auth::Verifier verifier{nonces, counts};
  Rig() {
    GW_FUZZ_CHECK(drbg.Init().ok());
    GW_FUZZ_CHECK(nonces.Init(drbg).ok());
    gw::auth::VerifierConfig c;
    c.realm = "imsgw.local";
    GW_FUZZ_CHECK(verifier.Init(c).ok());
  }
};

bool ParamInside(const gw::auth::ParamText& p, std::string_view whole) {
  return gw::fuzz::Inside(p.raw, whole);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Rig rig;
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  gw::auth::Credentials creds;
  gw::Status parsed = gw::auth::ParseCredentials(value, creds);
  if (!parsed.ok()) {
    GW_FUZZ_CHECK(creds.error != gw::auth::CredentialsError::kNone);
    GW_FUZZ_CHECK(creds.username.empty() && creds.response.empty() && creds.nonce.empty());
    return 0;
  }
  GW_FUZZ_CHECK(creds.error == gw::auth::CredentialsError::kNone);
  for (const gw::auth::ParamText* p :
       {&creds.username, &creds.realm, &creds.nonce, &creds.uri, &creds.response, &creds.cnonce,
        &creds.opaque, &creds.nc_text}) {
    GW_FUZZ_CHECK(ParamInside(*p, value));
  }
  // No nonce of the fuzzer's can be one we issued (the HMAC key is ours):
  // the verifier must never say kOk or kStale for any HA1.
  const std::string_view ha1 =
      creds.algorithm == gw::auth::Algorithm::kSha256
          ? std::string_view("0000000000000000000000000000000000000000000000000000000000000000")
          : std::string_view("00000000000000000000000000000000");
  gw::auth::VerifyResult r = rig.verifier.Verify(creds, ha1, "REGISTER", "sip:imsgw.local");
  GW_FUZZ_CHECK(r != gw::auth::VerifyResult::kOk && r != gw::auth::VerifyResult::kStale);
  rig.clock.now += 7;
  return 0;
}
