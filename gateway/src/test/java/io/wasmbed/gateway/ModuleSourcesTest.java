package io.wasmbed.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.wasmbed.store.Application;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleSourcesTest {
  private static final byte[] BYTES = "abc".getBytes(StandardCharsets.US_ASCII);

  private static Application.Spec spec(Application.Module module, String signature) {
    return new Application.Spec(
        module,
        signature,
        new Application.Targets(List.of("d"), Map.of(), 0),
        null,
        null,
        null,
        null,
        false);
  }

  @Test
  void digestIsSha256OfTheBytes() {
    // sha256("abc") from FIPS 180-2, appendix B.1
    assertThat(ModuleSources.digestOf(BYTES))
        .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void inlineModuleWithMatchingDigestHasNoProblem() {
    var module = new Application.Module(ModuleSources.digestOf(BYTES), BYTES, null, null);
    assertThat(ModuleSources.problem(spec(module, ""))).isEmpty();
  }

  @Test
  void ociSourceIsNotSupportedYet() {
    var module = new Application.Module(ModuleSources.digestOf(BYTES), null, null, "reg/app:1");
    assertThat(ModuleSources.problem(spec(module, "")))
        .contains("module source oci not supported yet");
  }

  @Test
  void signatureMustBeBase64() {
    var module = new Application.Module(ModuleSources.digestOf(BYTES), BYTES, null, null);
    assertThat(ModuleSources.problem(spec(module, "not base64!")))
        .get()
        .asString()
        .startsWith("signature:");
  }
}
