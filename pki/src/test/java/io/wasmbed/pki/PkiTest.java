package io.wasmbed.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiTest {
  @TempDir Path dir;
  private final MutableClock clock = MutableClock.now();

  @Test
  void createsBothCasOnceAndReusesThem() throws Exception {
    Pki first = Pki.loadOrCreate(dir, clock);
    Pki second = Pki.loadOrCreate(dir, clock);

    assertThat(second.deviceCa().certificate()).isEqualTo(first.deviceCa().certificate());
    assertThat(second.gatewayCa().certificate()).isEqualTo(first.gatewayCa().certificate());
    assertThat(first.deviceCa().certificate()).isNotEqualTo(first.gatewayCa().certificate());
    for (String key : List.of("device-ca.key", "gateway-ca.key")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(key))))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void createsGatewayCredentialsOnceAndReusesThem() throws Exception {
    Pki pki = Pki.loadOrCreate(dir, clock);

    Credentials first = pki.gatewayCredentials("gw-1", List.of("localhost", "127.0.0.1"));
    Credentials second =
        Pki.loadOrCreate(dir, clock).gatewayCredentials("gw-1", List.of("localhost"));

    assertThat(second.chain()).isEqualTo(first.chain());
    assertThat(second.key().getEncoded()).isEqualTo(first.key().getEncoded());
    assertThat(first.chain()).hasSize(2);
    assertThat(first.chain().get(1)).isEqualTo(pki.gatewayCa().certificate());
    first.certificate().verify(pki.gatewayCa().certificate().getPublicKey());
    assertThat(first.key().getAlgorithm()).isEqualTo("EC");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("gateways/gw-1.key"))))
        .isEqualTo("rw-------");
  }

  @Test
  void reusesGatewayCertificateWhoseIpv6NamesAreSpelledDifferently() {
    List<String> names = List.of("localhost", "127.0.0.1", "::1");
    Credentials first = Pki.loadOrCreate(dir, clock).gatewayCredentials("gw-1", names);

    Credentials second = Pki.loadOrCreate(dir, clock).gatewayCredentials("gw-1", names);

    assertThat(second.chain()).isEqualTo(first.chain());
  }

  @Test
  void renewsGatewayCertificateWithin30DaysOfExpiry() {
    Pki pki = Pki.loadOrCreate(dir, clock);
    Credentials first = pki.gatewayCredentials("gw-1", List.of("localhost"));

    clock.advance(Duration.ofDays(334));
    Credentials stillValid = pki.gatewayCredentials("gw-1", List.of("localhost"));
    clock.advance(Duration.ofDays(2));
    Credentials renewed = pki.gatewayCredentials("gw-1", List.of("localhost"));

    assertThat(stillValid.certificate()).isEqualTo(first.certificate());
    assertThat(renewed.certificate()).isNotEqualTo(first.certificate());
    assertThat(renewed.certificate().getNotAfter()).isAfter(first.certificate().getNotAfter());
  }

  @Test
  void reissuesGatewayCertificateWhenHostnamesGrow() throws Exception {
    Pki pki = Pki.loadOrCreate(dir, clock);
    Credentials first = pki.gatewayCredentials("gw-1", List.of("localhost"));

    Credentials wider = pki.gatewayCredentials("gw-1", List.of("localhost", "gw.example"));

    assertThat(wider.certificate()).isNotEqualTo(first.certificate());
    assertThat(wider.certificate().getSubjectAlternativeNames()).contains(List.of(2, "gw.example"));
  }
}
