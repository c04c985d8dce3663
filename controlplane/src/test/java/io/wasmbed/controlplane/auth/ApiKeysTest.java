package io.wasmbed.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wasmbed.controlplane.MutableClock;
import io.wasmbed.controlplane.auth.AuthenticationException.Reason;
import io.wasmbed.controlplane.auth.Permission.Action;
import io.wasmbed.controlplane.auth.Permission.Resource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void createdKeysHaveThePrefixAndVerifyToTheirRole() {
    try (ApiKeys keys = ApiKeys.open(dir.resolve("keys.db"), clock)) {
      ApiKeys.CreatedKey created = keys.create("ci", Role.operator, null);

      assertThat(created.plaintext()).matches("wb_[A-Za-z0-9_-]{43}");
      assertThat(created.key().id()).isEqualTo(created.plaintext().substring(0, 11));
      assertThat(created.toString()).doesNotContain(created.plaintext());
      ApiKey verified = keys.verify(created.plaintext());
      assertThat(verified.role()).isEqualTo(Role.operator);
      assertThat(verified.lastUsedAt()).isEqualTo(clock.instant());
    }
  }

  @Test
  void refusesMissingMalformedUnknownAndWrongKeysWithTheirReason() {
    try (ApiKeys keys = ApiKeys.open(dir.resolve("keys.db"), clock)) {
      String key = keys.create("ci", Role.viewer, null).plaintext();
      String sameIdOtherSecret = key.substring(0, 11) + "A".repeat(35);
      String unknown = "wb_" + "B".repeat(43);

      assertReason(keys, null, Reason.missing_key);
      assertReason(keys, "Bearer nonsense", Reason.malformed_key);
      assertReason(keys, unknown, Reason.unknown_key);
      assertReason(keys, sameIdOtherSecret, Reason.wrong_secret);
    }
  }

  @Test
  void expiredAndRevokedKeysAreRefused() {
    try (ApiKeys keys = ApiKeys.open(dir.resolve("keys.db"), clock)) {
      String shortLived = keys.create("temp", Role.admin, Duration.ofHours(1)).plaintext();
      String revoked = keys.create("old", Role.admin, null).plaintext();
      keys.create("spare", Role.admin, null); // the last active admin key cannot be revoked
      keys.verify(shortLived);

      clock.advance(Duration.ofHours(1));
      assertReason(keys, shortLived, Reason.expired_key);
      assertThat(keys.revoke(ApiKeys.idOf(revoked))).isTrue();
      assertReason(keys, revoked, Reason.revoked_key);
      assertThat(keys.revoke("wb_missing0")).isFalse();
    }
  }

  @Test
  void keysSurviveReopeningWithLastUseAndRevocation() {
    Path file = dir.resolve("keys.db");
    String key;
    String revokedId;
    try (ApiKeys keys = ApiKeys.open(file, clock)) {
      key = keys.create("ci", Role.viewer, Duration.ofDays(1)).plaintext();
      revokedId = keys.create("gone", Role.viewer, null).key().id();
      keys.revoke(revokedId);
      clock.advance(Duration.ofMinutes(1));
      keys.verify(key);
    }
    try (ApiKeys keys = ApiKeys.open(file, clock)) {
      ApiKey stored = keys.get(ApiKeys.idOf(key)).orElseThrow();
      assertThat(stored.lastUsedAt()).isEqualTo(clock.instant());
      assertThat(stored.expiresAt()).isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
      assertThat(keys.get(revokedId).orElseThrow().revoked()).isTrue();
      assertThat(keys.list()).hasSize(2);
      assertThat(keys.verify(key).name()).isEqualTo("ci");
    }
  }

  @Test
  void fileIsOwnerOnlyAndHoldsOnlyHashes() throws Exception {
    Path file = dir.resolve("keys.db");
    String key;
    try (ApiKeys keys = ApiKeys.open(file, clock)) {
      key = keys.create("ci", Role.admin, null).plaintext();
      keys.verify(key);
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    String secretPart = key.substring(11);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path each : files.toList()) {
        String content = new String(Files.readAllBytes(each), StandardCharsets.ISO_8859_1);
        assertThat(content).doesNotContain(secretPart);
      }
    }
  }

  @Test
  void rolesDenyWhatTheyDoNotList() {
    assertThat(Role.viewer.allows(Permission.of(Resource.applications, Action.read))).isTrue();
    assertThat(Role.viewer.allows(Permission.of(Resource.applications, Action.write))).isFalse();
    assertThat(Role.operator.allows(Permission.of(Resource.devices, Action.write))).isTrue();
    assertThat(Role.operator.allows(Permission.of(Resource.keys, Action.read))).isFalse();
    assertThat(Role.admin.allows(Permission.of(Resource.keys, Action.write))).isTrue();
    assertThatThrownBy(() -> Role.parse("root")).hasMessageContaining("admin, operator or viewer");
  }

  @Test
  void rateLimitRefusesBeyondTheBurstAndSaysWhenToRetry() {
    RateLimits limits = new RateLimits(2, 1);
    assertThat(limits.acquire("k")).isZero();
    assertThat(limits.acquire("k")).isZero();
    assertThat(limits.acquire("k")).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(limits.acquire("other")).isZero();
  }

  private static void assertReason(ApiKeys keys, String presented, Reason reason) {
    assertThatThrownBy(() -> keys.verify(presented))
        .isInstanceOfSatisfying(
            AuthenticationException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
