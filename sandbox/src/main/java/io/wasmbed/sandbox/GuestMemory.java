package io.wasmbed.sandbox;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TrapException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The only way host functions touch a guest's linear memory. Every pointer and length the guest
 * passes is an unsigned 32-bit value; ranges are checked in 64-bit arithmetic against the memory's
 * current size, so {@code ptr + len} cannot wrap. A bad range traps the guest, never the host.
 */
final class GuestMemory {
  private final Memory memory;
  private final String function;

  private GuestMemory(Memory memory, String function) {
    this.memory = memory;
    this.function = function;
  }

  /** A view of {@code memory} for host function {@code function} (named in trap reasons). */
  static GuestMemory of(Memory memory, String function) {
    if (memory == null) {
      throw new TrapException(function + ": module has no linear memory");
    }
    return new GuestMemory(memory, function);
  }

  /** Size of the memory in bytes. */
  long size() {
    return (long) memory.pages() * Memory.PAGE_SIZE;
  }

  /** Copies {@code len} bytes at {@code ptr}; both are raw i32 arguments. */
  byte[] read(long ptr, long len) {
    int offset = checkRange(ptr, len);
    return memory.readBytes(offset, (int) unsigned(len));
  }

  /** Decodes {@code len} bytes at {@code ptr} as strict UTF-8. */
  String readUtf8(long ptr, long len) {
    byte[] bytes = read(ptr, len);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new TrapException(function + ": string at " + unsigned(ptr) + " is not valid UTF-8");
    }
  }

  /** The i32 at {@code ptr}, little-endian. */
  long readI32(long ptr) {
    return memory.readInt(checkRange(ptr, 4));
  }

  /** Writes {@code bytes} at {@code ptr}. */
  void write(long ptr, byte[] bytes) {
    int offset = checkRange(ptr, bytes.length);
    memory.write(offset, bytes, 0, bytes.length);
  }

  /** Traps unless {@code len} bytes at {@code ptr} lie inside memory; returns the offset. */
  int checkRange(long ptr, long len) {
    long start = unsigned(ptr);
    long length = unsigned(len);
    long size = size();
    if (start + length > size || start + length > Integer.MAX_VALUE) {
      throw new TrapException(
          function
              + ": out of bounds memory access: ["
              + start
              + ", "
              + (start + length)
              + ") (expected: within memory of "
              + size
              + " bytes)");
    }
    return (int) start;
  }

  /** An i32 argument as Chicory passes it (sign-extended or not) read as unsigned. */
  static long unsigned(long i32) {
    return Integer.toUnsignedLong((int) i32);
  }
}
