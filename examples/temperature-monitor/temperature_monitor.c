/* Reads the "temperature" sensor every tick, publishes it, and logs when it crosses a threshold
 * read from the app's config key "threshold" (whole degrees, default 30). */
#include "../wasmbed.h"

static double threshold = 30.0;
static int ticks;
static int above;

static int parse_int(const char *s, int len, int fallback) {
  int value = 0, sign = 1, i = 0;
  if (len > 0 && s[0] == '-') { sign = -1; i = 1; }
  if (i >= len) return fallback;
  for (; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return fallback;
    value = value * 10 + (s[i] - '0');
  }
  return sign * value;
}

WASMBED_EXPORT("init") void init(void) {
  char buf[16];
  int n = wb_config_get(WB_STR("threshold"), buf, sizeof buf);
  if (n >= 0 && n <= (int)sizeof buf) threshold = parse_int(buf, n, 30);
  wb_log(WB_STR("temperature-monitor started"));
}

WASMBED_EXPORT("tick") void tick(void) {
  double t = wb_sensor_read(WB_STR("temperature"));
  ticks++;
  wb_publish(WB_STR("temperature"), t);
  if (t > threshold && !above) {
    above = 1;
    wb_log(WB_STR("temperature above threshold"));
  } else if (t <= threshold && above) {
    above = 0;
    wb_log(WB_STR("temperature back to normal"));
  }
}
