package org.openkcm.keystore.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.BackendSealedException;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.CapacityExceededException;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.PermissionDeniedException;

class StatusMapperTest {
  private final StatusMapper mapper = new StatusMapper(Duration.ofMillis(1500));

  @Test
  void eachTypedErrorHasOneStatusAndItsReason() throws Exception {
    KeyRef k = KeyRef.of("k1", 1);
    Map<KeystoreException, Status.Code> cases =
        Map.of(
            new KeyNotFoundException(k, "openbao", "key k1/1 not found in openbao"),
                Status.Code.NOT_FOUND,
            new KeyAlreadyExistsException(k, "inmemory", "exists"), Status.Code.ALREADY_EXISTS,
            new ConcurrentUpdateException(k, "inmemory", "revision moved"), Status.Code.ABORTED,
            new BackendSealedException("openbao", k, null), Status.Code.UNAVAILABLE,
            new BackendUnavailableException("openbao", "down", Duration.ofSeconds(3)),
                Status.Code.UNAVAILABLE,
            new InvalidKeyRequestException("tier", "must be L2, L3 or L4"),
                Status.Code.INVALID_ARGUMENT,
            new PermissionDeniedException(k, "openbao", "403"), Status.Code.PERMISSION_DENIED,
            new IntegrityException(k, "inmemory", "tampered"), Status.Code.DATA_LOSS,
            new CapacityExceededException(k, "inmemory", "full"), Status.Code.RESOURCE_EXHAUSTED);
    cases.forEach(
        (e, code) -> {
          StatusRuntimeException s = mapper.toStatus(e);
          assertThat(s.getStatus().getCode()).as(e.getClass().getSimpleName()).isEqualTo(code);
          assertThat(info(s).getReason())
              .isEqualTo(e.getClass().getSimpleName().replace("Exception", ""));
          assertThat(info(s).getDomain()).isEqualTo(StatusMapper.DOMAIN);
        });
  }

  @Test
  void unavailableCarriesTheBackendsRetryDelayOrTheDefault() throws Exception {
    StatusRuntimeException named =
        mapper.toStatus(new BackendUnavailableException("openbao", "down", Duration.ofSeconds(3)));
    assertThat(retry(named).getRetryDelay().getSeconds()).isEqualTo(3);
    assertThat(info(named).getMetadataMap()).containsEntry("backend", "openbao");
    StatusRuntimeException sealed =
        mapper.toStatus(new BackendSealedException("openbao", KeyRef.of("k", 1), null));
    assertThat(retry(sealed).getRetryDelay().getNanos()).isEqualTo(500_000_000);
  }

  @Test
  void invalidArgumentNamesTheField() {
    assertThat(
            info(mapper.toStatus(new InvalidKeyRequestException("owner.type", "bad")))
                .getMetadataMap())
        .containsEntry("field", "owner.type");
  }

  @Test
  void aRefusedConfigurationValueIsAnInvalidArgumentNamingTheField() throws Exception {
    StatusRuntimeException s =
        mapper.toStatus(new InvalidConfigurationException("cache.L3.ttl", "must be at least 1s"));
    assertThat(s.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(info(s).getReason()).isEqualTo("InvalidConfiguration");
    assertThat(info(s).getMetadataMap()).containsEntry("field", "cache.L3.ttl");
    assertThat(s.getStatus().getDescription()).contains("cache.L3.ttl");
    assertThat(
            info(mapper.toStatus(new InvalidConfigurationException(null, "unreadable")))
                .getMetadataMap())
        .doesNotContainKey("field");
  }

  @Test
  void everyNotFoundReadsTheSameAndNamesNoBackend() throws Exception {
    StatusRuntimeException real =
        mapper.toStatus(
            new KeyNotFoundException(
                KeyRef.of("k1", 1), "openbao", "key k1/1 not found in openbao"));
    StatusRuntimeException hidden = mapper.notFound("key");
    assertThat(real.getStatus().getDescription())
        .isEqualTo(hidden.getStatus().getDescription())
        .isEqualTo(StatusMapper.NOT_FOUND);
    assertThat(info(real)).isEqualTo(info(hidden));
    assertThat(info(real).getMetadataMap()).doesNotContainKey("backend");
  }

  @Test
  void messagesAreCutToPrintableAscii() {
    String m =
        mapper
            .toStatus(new IntegrityException(null, null, "bad \u0000\u00ff" + "x".repeat(2000)))
            .getStatus()
            .getDescription();
    assertThat(m).hasSizeLessThanOrEqualTo(512).doesNotContain("\u0000", "\u00ff");
  }

  private static ErrorInfo info(StatusRuntimeException s) {
    return detail(s, ErrorInfo.class);
  }

  private static RetryInfo retry(StatusRuntimeException s) {
    return detail(s, RetryInfo.class);
  }

  private static <T extends com.google.protobuf.Message> T detail(
      StatusRuntimeException s, Class<T> type) {
    try {
      for (Any a : StatusProto.fromThrowable(s).getDetailsList()) {
        if (a.is(type)) {
          return a.unpack(type);
        }
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no " + type.getSimpleName());
  }
}
