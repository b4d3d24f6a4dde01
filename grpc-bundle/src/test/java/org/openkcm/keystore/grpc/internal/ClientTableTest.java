package org.openkcm.keystore.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.Owner;

class ClientTableTest {

  private static final ClientTable TABLE =
      parse(
          "identity=spiffe://acme/billing; owners=tenant:acme,service:acme-*; ops=KeyService/*",
          "identity=CN=ops,O=acme; owners=*; ops=KeystoreOperations/Health,KeystoreOperations/Info");

  private static ClientTable parse(String... entries) {
    try {
      return ClientTable.parse(entries);
    } catch (InvalidConfigurationException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theFirstNamedIdentityWinsAndGlobsMatchOwnersAndOperations() throws Exception {
    ClientGrant g = TABLE.grantFor(List.of("spiffe://acme/billing", "CN=billing")).orElseThrow();
    assertThat(g.owns(Owner.tenant("acme"))).isTrue();
    assertThat(g.owns(Owner.service("acme-payments"))).isTrue();
    assertThat(g.owns(Owner.tenant("acme2"))).as("a glob without * is exact").isFalse();
    assertThat(g.owns(Owner.service("globex-acme-x"))).isFalse();
    assertThat(g.mayCall("KeyService/Encrypt")).isTrue();
    assertThat(g.mayCall("KeystoreOperations/StoreKey")).isFalse();
    assertThat(TABLE.grantFor(List.of("spiffe://acme/other"))).isEmpty();
    assertThat(
            TABLE
                .grantFor(List.of("CN=ops,O=acme"))
                .orElseThrow()
                .mayCall("KeystoreOperations/Info"))
        .isTrue();
  }

  @Test
  void globCharactersOtherThanTheStarAreLiteral() throws Exception {
    ClientGrant g =
        parse("identity=x; owners=tenant:a.c; ops=KeyService/Get.*")
            .grantFor(List.of("x"))
            .orElseThrow();
    assertThat(g.owns(Owner.tenant("a.c"))).isTrue();
    assertThat(g.owns(Owner.tenant("abc"))).isFalse();
    assertThat(g.mayCall("KeyService/GetKey")).isFalse();
  }

  @Test
  void aBadEntryIsRejectedNamingIt() {
    assertThatThrownBy(
            () ->
                ClientTable.parse(
                    new String[] {"identity=a; owners=*; ops=*", "identity=b; owners=*"}))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("grpc.clients[1]");
    assertThatThrownBy(
            () ->
                ClientTable.parse(
                    new String[] {"identity=a; owners=*; ops=*", "identity=a; owners=x; ops=*"}))
        .hasMessageContaining("listed twice");
    assertThatThrownBy(
            () -> ClientTable.parse(new String[] {"identity=a; owners=*; ops=*; admin=yes"}))
        .hasMessageContaining("unknown part");
  }
}
