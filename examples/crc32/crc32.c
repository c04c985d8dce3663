/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) over a buffer in linear memory.
 * tick() checksums a 4 KiB buffer and publishes the result as reading "crc32";
 * bench(rounds) checksums a 64 KiB buffer `rounds` times: the sandbox's CPU-bound benchmark. */
#include "../wasmbed.h"

#define BUF_SIZE 65536

static unsigned int table[256];
static unsigned char buffer[BUF_SIZE];
static unsigned int counter;

static void fill(unsigned int seed) {
  for (int i = 0; i < BUF_SIZE; i++) {
    seed = seed * 1103515245u + 12345u;
    buffer[i] = (unsigned char)(seed >> 16);
  }
}

WASMBED_EXPORT("init") void init(void) {
  for (unsigned int n = 0; n < 256; n++) {
    unsigned int c = n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  fill(1);
}

WASMBED_EXPORT("crc32") unsigned int crc32(const unsigned char *data, int len) {
  unsigned int c = 0xFFFFFFFFu;
  for (int i = 0; i < len; i++) c = table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

WASMBED_EXPORT("buffer") unsigned char *buffer_address(void) { return buffer; }

WASMBED_EXPORT("bench") unsigned int bench(int rounds) {
  unsigned int acc = 0;
  for (int r = 0; r < rounds; r++) {
    buffer[0] = (unsigned char)r;
    acc ^= crc32(buffer, BUF_SIZE);
  }
  return acc;
}

WASMBED_EXPORT("tick") void tick(void) {
  buffer[0] = (unsigned char)counter++;
  wb_publish(WB_STR("crc32"), (double)crc32(buffer, 4096));
}
