package org.openkcm.keystore.openbao.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which node requests go to, and whether it is known to be the active one: after moving on from a
 * failed node it is not (the next may be a standby reading its own, lagging copy), so the client
 * asks {@code sys/leader} before the next request.
 */
class BaoNodesTest {
  private final BaoNodes three =
      new BaoNodes(
          List.of(
              URI.create("http://127.0.0.1:8201"),
              URI.create("http://127.0.0.1:8202"),
              URI.create("http://127.0.0.1:8203")));

  @Test
  void aClusterIsUnconfirmedUntilTheActiveNodeIsNamed() {
    assertThat(three.confirmed()).isFalse();
    three.prefer(1);
    assertThat(three.confirmed()).isTrue();
    assertThat(three.preferred()).isEqualTo(1);
  }

  @Test
  void movingOnFromAFailedNodeForgetsWhichNodeIsActive() {
    three.prefer(0);
    assertThat(three.moveOn(0)).isEqualTo(1);
    assertThat(three.confirmed()).as("node 1 may be a standby").isFalse();
    three.prefer(2);
    assertThat(three.confirmed()).isTrue();
  }

  @Test
  void oneNodeNeedsNoLeaderLookup() {
    BaoNodes one = new BaoNodes(List.of(URI.create("http://127.0.0.1:8200")));
    assertThat(one.confirmed()).isTrue();
    one.moveOn(0);
    assertThat(one.confirmed()).isTrue();
  }
}
