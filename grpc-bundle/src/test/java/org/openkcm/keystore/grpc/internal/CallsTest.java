package org.openkcm.keystore.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.audit.Actor;
import org.openkcm.keystore.audit.AuditUnavailableException;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.audit.OperationObserver;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeystoreException;

class CallsTest {
  private final Calls calls = new Calls(new StatusMapper(Duration.ofSeconds(1)));

  @Test
  void aCallWhoseDeadlinePassedIsNotStarted() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      Context.CancellableContext expired =
          Context.current().withDeadline(Deadline.after(-1, TimeUnit.SECONDS), timer);
      AtomicBoolean ran = new AtomicBoolean();
      Recorder<String> out = new Recorder<>();
      expired.run(
          () ->
              calls.unary(
                  "CreateKey",
                  out,
                  g -> {
                    ran.set(true);
                    return "created";
                  }));
      assertThat(ran).as("the body (the write) never ran").isFalse();
      assertThat(Status.fromThrowable(out.error).getCode())
          .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(out.values).isEmpty();
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void typedErrorsAndUnexpectedOnesBecomeStatusesWithoutRequestData() {
    Recorder<String> typed = new Recorder<>();
    calls.unary(
        "GetKey",
        typed,
        g -> {
          throw new KeyNotFoundException(null, "inmemory", "key secret-id not found");
        });
    assertThat(Status.fromThrowable(typed.error).getCode()).isEqualTo(Status.Code.NOT_FOUND);

    Recorder<String> unexpected = new Recorder<>();
    calls.unary(
        "Encrypt",
        unexpected,
        g -> {
          throw new IllegalStateException("plaintext=4111111111111111");
        });
    Status s = Status.fromThrowable(unexpected.error);
    assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(s.getDescription()).doesNotContain("4111");
  }

  @Test
  void aCallIsTheCoresToAccountOnlyWhenTheCoreRecordedTheOutcomeTheClientSees() {
    CoreEventWitness witness = new CoreEventWitness();
    CallAccounting.Record ran = new CallAccounting.Record("KeyService/CreateKey");
    Context.current()
        .withValue(CallAccounting.RECORD, ran)
        .run(
            () ->
                calls.unary(
                    "CreateKey",
                    new Recorder<String>(),
                    g -> {
                      witness.completed(
                          OperationEvent.builder("key.create", Instant.now()).build());
                      return "created";
                    }));
    assertThat(ran.accountedByCore()).isTrue();

    CallAccounting.Record refusedByTheDoor = new CallAccounting.Record("KeyService/CreateKey");
    Context.current()
        .withValue(CallAccounting.RECORD, refusedByTheDoor)
        .run(
            () ->
                calls.unary(
                    "CreateKey",
                    new Recorder<String>(),
                    g -> {
                      // the core ran a read (owner check), then the door refused
                      witness.completed(OperationEvent.builder("key.get", Instant.now()).build());
                      throw new InvalidKeyRequestException("tier", "must be L2, L3 or L4");
                    }));
    assertThat(refusedByTheDoor.accountedByCore()).isFalse();
    witness.completed(OperationEvent.builder("key.get", Instant.now()).build()); // no call: ignored
  }

  @Test
  void withoutAnAuditTrailThatCanWriteNoCallBodyRuns() {
    DoorObservers observers = new DoorObservers();
    observers.add(
        new OperationObserver() {
          @Override
          public void admit(String operation) throws KeystoreException {
            throw new AuditUnavailableException(null, "no audit sink can write", null);
          }

          @Override
          public void completed(OperationEvent event) {}
        },
        true);
    AtomicBoolean ran = new AtomicBoolean();
    Recorder<String> out = new Recorder<>();
    new Calls(new StatusMapper(Duration.ofSeconds(1)), observers)
        .unary(
            "StoreKey",
            out,
            g -> {
              ran.set(true);
              return "stored";
            });
    assertThat(ran).isFalse();
    assertThat(Status.fromThrowable(out.error).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void theBodyRunsAsTheClientIdentityTheAuditTrailRecords() throws Exception {
    ClientGrant grant = new ClientGrant("CN=billing,O=acme", List.of(), List.of());
    Recorder<String> out = new Recorder<>();
    Context.current()
        .withValue(AuthorizationInterceptor.GRANT, grant)
        .run(() -> calls.unary("CreateKey", out, g -> Actor.current().orElse("none")));
    assertThat(out.values).containsExactly("grpc:CN=billing,O=acme");
    assertThat(Actor.current()).as("the actor ends with the call").isEmpty();
  }

  private static final class Recorder<T> implements StreamObserver<T> {
    final List<T> values = new ArrayList<>();
    Throwable error;

    @Override
    public void onNext(T value) {
      values.add(value);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {}
  }
}
