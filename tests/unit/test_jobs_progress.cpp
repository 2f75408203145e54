#include <tm/jobs/progress.hpp>

#include <catch2/catch.hpp>

TEST_CASE("jobs::progress_text: done of known requests, points, rate, ETA") {
    CHECK(jobs::progress_text({0, 12, 0, 0.5})
          == "backfill: 0/12 requests, 0 points, 0 points/s, ETA ?");
    CHECK(jobs::progress_text({25, 100, 1'234'567, 60})
          == "backfill: 25/100 requests, 1,234,567 points, 20,576 points/s, ETA 3m");
    // A total that has not caught up with what was answered never shows less than done.
    CHECK(jobs::progress_text({125, 115, 10, 10})
          == "backfill: 125/125 requests, 10 points, 1 points/s, ETA 0s");
}
