#pragma once
// Seconds since the Unix epoch to a UTC calendar date and time (proleptic
// Gregorian), for the texts that show wall-clock time: DSP SYSINFO, the
// Date header of SIP responses, CDRs.
#include <cstdint>

namespace gw {

struct CivilTime {
  int64_t year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31
  unsigned hour = 0, minute = 0, second = 0;
  unsigned weekday = 4;  // 0 = Sunday (1970-01-01 was a Thursday)
};

CivilTime CivilFromUnix(int64_t unix_seconds);

}  // namespace gw
