package io.wasmbed.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SimulatedSensorsTest {

  private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");

  private static SimulatedSensors at(String device, Instant instant) {
    return new SimulatedSensors(device, Clock.fixed(instant, ZoneOffset.UTC));
  }

  @Test
  void sameDeviceAndTimeReadTheSameValues() {
    for (String sensor : SimulatedSensors.sensors()) {
      assertThat(at("dev-1", T0).readSensor(sensor)).isEqualTo(at("dev-1", T0).readSensor(sensor));
    }
  }

  @Test
  void devicesDifferFromEachOther() {
    assertThat(at("dev-1", T0).readSensor("temperature"))
        .isNotEqualTo(at("dev-2", T0).readSensor("temperature"));
  }

  @Test
  void valuesArePlausibleAndChangeGently() {
    SimulatedSensors now = at("dev-1", T0);
    SimulatedSensors secondLater = at("dev-1", T0.plusSeconds(1));

    assertThat(now.readSensor("temperature")).isBetween(10.0, 35.0);
    assertThat(now.readSensor("humidity")).isBetween(20.0, 80.0);
    assertThat(now.readSensor("pressure")).isBetween(990.0, 1040.0);
    assertThat(Math.abs(now.readSensor("temperature") - secondLater.readSensor("temperature")))
        .isLessThan(0.5);
  }

  @Test
  void unknownSensorReadsNaN() {
    assertThat(at("dev-1", T0).readSensor("radiation")).isNaN();
    assertThat(at("dev-1", T0).readSensor(null)).isNaN();
  }
}
