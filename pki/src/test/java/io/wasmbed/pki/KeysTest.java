package io.wasmbed.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeysTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void writesOwnerOnlyPkcs8AndReadsItBack(KeyAlgorithm algorithm) throws Exception {
    KeyPair pair = Keys.generate(algorithm);
    Path file = dir.resolve("k.key");

    Keys.writePrivateKey(file, pair.getPrivate());
    PrivateKey read = Keys.readPrivateKey(file);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(read.getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
    assertThat(Keys.publicKey(read)).isEqualTo(pair.getPublic());
    assertThat(Keys.algorithmOf(read)).isEqualTo(algorithm);
    assertThat(signAndVerify(read, pair)).isTrue();
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void defaultAlgorithmIsEd25519() {
    assertThat(Keys.algorithmOf(Keys.generate().getPrivate())).isEqualTo(KeyAlgorithm.ED25519);
  }

  @Test
  void refusesKeyReadableByGroup() throws Exception {
    Path file = dir.resolve("loose.key");
    Keys.writePrivateKey(file, Keys.generate().getPrivate());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

    assertThatThrownBy(() -> Keys.readPrivateKey(file))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("rw-r-----")
        .hasMessageContaining("owner only");
  }

  @Test
  void overwritesAtomicallyKeepingOwnerOnly() throws Exception {
    Path file = dir.resolve("k.key");
    Keys.writePrivateKey(file, Keys.generate().getPrivate());
    KeyPair second = Keys.generate(KeyAlgorithm.ECDSA_P256);

    Keys.writePrivateKey(file, second.getPrivate());

    assertThat(Keys.readKeyPair(file).getPublic()).isEqualTo(second.getPublic());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void refusesPemThatIsNotAPrivateKey() throws Exception {
    Path file = dir.resolve("cert.key");
    Keys.writePrivateKey(file, Keys.generate().getPrivate());
    Files.writeString(file, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");

    assertThatThrownBy(() -> Keys.readPrivateKey(file)).isInstanceOf(PkiException.class);
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void publicKeysRoundTripAsBase64UrlWithoutPadding(KeyAlgorithm algorithm) {
    KeyPair pair = Keys.generate(algorithm);

    String encoded = PublicKeys.encode(pair.getPublic());

    assertThat(encoded).matches("[A-Za-z0-9_-]+");
    assertThat(PublicKeys.decode(encoded)).isEqualTo(pair.getPublic());
  }

  @Test
  void refusesMalformedEncodedPublicKey() {
    assertThatThrownBy(() -> PublicKeys.decode("not base64!")).isInstanceOf(PkiException.class);
    assertThatThrownBy(() -> PublicKeys.decode("AAAA")).isInstanceOf(PkiException.class);
  }

  private static boolean signAndVerify(PrivateKey key, KeyPair pair) throws Exception {
    String algorithm = Keys.algorithmOf(key).signatureAlgorithm();
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(new byte[] {1, 2, 3});
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(pair.getPublic());
    verifier.update(new byte[] {1, 2, 3});
    return verifier.verify(signature);
  }
}
