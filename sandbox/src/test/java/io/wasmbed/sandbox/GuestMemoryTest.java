package io.wasmbed.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GuestMemoryTest {
  final GuestMemory memory =
      GuestMemory.of(new ByteArrayMemory(new MemoryLimits(1, 1)), "wasmbed.test");

  @Test
  void readsAndWritesInsideMemory() {
    memory.write(65_530, "hello!".getBytes(StandardCharsets.UTF_8));

    assertThat(memory.readUtf8(65_530, 6)).isEqualTo("hello!");
    assertThat(memory.read(0, 0)).isEmpty();
    assertThat(memory.read(65_536, 0)).isEmpty();
  }

  @Test
  void refusesRangePastTheEnd() {
    assertThatThrownBy(() -> memory.read(65_530, 7))
        .isInstanceOf(TrapException.class)
        .hasMessage(
            "wasmbed.test: out of bounds memory access: [65530, 65537) (expected: within memory of"
                + " 65536 bytes)");
    assertThatThrownBy(() -> memory.write(65_536, new byte[1])).isInstanceOf(TrapException.class);
  }

  @Test
  void refusesRangeThatWrapsAround32Bits() {
    // 0xFFFFFFF0 + 0x20 wraps to 0x10 in 32-bit arithmetic.
    assertThatThrownBy(() -> memory.read(0xFFFF_FFF0L, 0x20)).isInstanceOf(TrapException.class);
    // Chicory hands i32 arguments over sign-extended: -16 is 0xFFFFFFF0.
    assertThatThrownBy(() -> memory.read(-16, 0x20)).isInstanceOf(TrapException.class);
    assertThatThrownBy(() -> memory.read(0, -1)).isInstanceOf(TrapException.class);
  }

  @Test
  void refusesInvalidUtf8() {
    memory.write(0, new byte[] {(byte) 0xC3, (byte) 0x28});

    assertThatThrownBy(() -> memory.readUtf8(0, 2))
        .isInstanceOf(TrapException.class)
        .hasMessage("wasmbed.test: string at 0 is not valid UTF-8");
  }

  @Test
  void refusesModuleWithoutMemory() {
    assertThatThrownBy(() -> GuestMemory.of(null, "wasmbed.log"))
        .isInstanceOf(TrapException.class)
        .hasMessage("wasmbed.log: module has no linear memory");
  }
}
