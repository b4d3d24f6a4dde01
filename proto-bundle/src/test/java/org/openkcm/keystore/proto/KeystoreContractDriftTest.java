package org.openkcm.keystore.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.OwnerType;
import org.openkcm.keystore.proto.v1.KeystoreProto;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.Keystore;

/**
 * The Protobuf contract and the Java SPI are the same contract: this fails when they drift apart.
 */
class KeystoreContractDriftTest {

  /**
   * rpc name -> Keystore method name. Adding an operation to either side without the other fails.
   */
  private static final Map<String, String> OPERATIONS =
      Map.of(
          "StoreKey", "store",
          "RetrieveKey", "retrieve",
          "UpdateKeyMetadata", "updateMetadata",
          "DeleteKey", "delete",
          "ListKeys", "list",
          "Health", "health",
          "Info", "info");

  private static final ServiceDescriptor SERVICE =
      KeystoreProto.getDescriptor().findServiceByName("KeystoreOperations");

  @Test
  void everyRpcIsAKeystoreMethodAndBack() {
    Set<String> rpcs =
        SERVICE.getMethods().stream()
            .map(MethodDescriptor::getName)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> javaMethods =
        Arrays.stream(Keystore.class.getDeclaredMethods())
            .filter(m -> !m.isDefault() && !Modifier.isStatic(m.getModifiers()))
            .map(Method::getName)
            .collect(Collectors.toCollection(TreeSet::new));

    assertThat(rpcs).as("rpcs of KeystoreOperations").isEqualTo(new TreeSet<>(OPERATIONS.keySet()));
    assertThat(javaMethods)
        .as("methods of the Keystore SPI")
        .isEqualTo(new TreeSet<>(OPERATIONS.values()));
  }

  @Test
  void metadataFieldsMatch() {
    // ref() is id + version, which the proto carries as two fields
    assertThat(protoFields(message("KeyMetadata")))
        .isEqualTo(javaAccessors(KeyMetadata.class, "ref", "toBuilder"));
  }

  @Test
  void filterCriteriaMatch() {
    // after() is the decoded cursor; the proto carries the cursor itself
    Set<String> java = javaAccessors(KeyFilter.class, "after");
    java.add("cursor");
    assertThat(protoFields(message("KeyFilter"))).isEqualTo(java);
  }

  @Test
  void enumsMatch() {
    assertThat(protoEnum("KeyTier")).isEqualTo(names(KeyTier.values()));
    assertThat(protoEnum("KeyStatus")).isEqualTo(names(KeyStatus.values()));
    assertThat(protoEnum("OwnerType")).isEqualTo(names(OwnerType.values()));
    assertThat(protoEnum("BackendState")).isEqualTo(names(BackendState.values()));
  }

  private static Set<String> protoFields(Descriptor d) {
    return d.getFields().stream()
        .map(FieldDescriptor::getName)
        .map(KeystoreContractDriftTest::camel)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> javaAccessors(Class<?> type, String... excluded) {
    Set<String> skip = Set.of(excluded);
    return Arrays.stream(type.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
        .filter(m -> m.getParameterCount() == 0 && m.getReturnType() != boolean.class)
        .map(Method::getName)
        .filter(n -> !skip.contains(n) && !Set.of("toString", "hashCode").contains(n))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> protoEnum(String name) {
    EnumDescriptor e = KeystoreProto.getDescriptor().findEnumTypeByName(name);
    return e.getValues().stream()
        .map(v -> v.getName())
        .filter(n -> !n.endsWith("_UNSPECIFIED"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> names(Enum<?>[] values) {
    return Arrays.stream(values).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
  }

  private static String camel(String snake) {
    StringBuilder b = new StringBuilder();
    boolean up = false;
    for (char c : snake.toCharArray()) {
      if (c == '_') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(c) : Character.toLowerCase(c));
        up = false;
      }
    }
    return b.toString();
  }

  private static Descriptor message(String name) {
    Descriptor d = KeystoreProto.getDescriptor().findMessageTypeByName(name);
    assertThat(d).as("proto message " + name).isNotNull();
    return d;
  }
}
