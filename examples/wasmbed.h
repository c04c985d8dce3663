/* Host interface of Wasmbed device apps (docs/app-abi.md). Import module "wasmbed". */
#ifndef WASMBED_H
#define WASMBED_H

#define WASMBED_IMPORT(name) __attribute__((import_module("wasmbed"), import_name(name)))
#define WASMBED_EXPORT(name) __attribute__((export_name(name)))

WASMBED_IMPORT("log") void wb_log(const char *text, int len);
WASMBED_IMPORT("now_ms") long long wb_now_ms(void);
WASMBED_IMPORT("sensor_read") double wb_sensor_read(const char *name, int name_len);
WASMBED_IMPORT("publish") void wb_publish(const char *name, int name_len, double value);
WASMBED_IMPORT("config_get") int wb_config_get(const char *key, int key_len, char *buf, int cap);

static inline int wb_strlen(const char *s) {
  int n = 0;
  while (s[n]) n++;
  return n;
}

#define WB_STR(s) (s), (int)(sizeof(s) - 1)

#endif
