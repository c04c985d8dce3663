package io.wasmbed.pki;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** A private key with its certificate chain, leaf first. */
public record Credentials(PrivateKey key, List<X509Certificate> chain) {
  public Credentials {
    if (key == null) {
      throw new IllegalArgumentException("key: null (expected: a private key)");
    }
    if (chain == null || chain.isEmpty()) {
      throw new IllegalArgumentException("chain: " + chain + " (expected: leaf certificate first)");
    }
    chain = List.copyOf(chain);
  }

  public X509Certificate certificate() {
    return chain.get(0);
  }

  public static Credentials load(Path keyFile, Path chainFile) {
    return new Credentials(Keys.readPrivateKey(keyFile), Pem.readCertificates(chainFile));
  }

  public void save(Path keyFile, Path chainFile) {
    Keys.writePrivateKey(keyFile, key);
    Pem.writeCertificates(chainFile, chain);
  }
}
