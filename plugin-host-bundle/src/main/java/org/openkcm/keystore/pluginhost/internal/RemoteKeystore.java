package org.openkcm.keystore.pluginhost.internal;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.proto.v1.DeleteKeyRequest;
import org.openkcm.keystore.proto.v1.HealthRequest;
import org.openkcm.keystore.proto.v1.HealthResponse;
import org.openkcm.keystore.proto.v1.KeystoreOperationsGrpc;
import org.openkcm.keystore.proto.v1.KeystoreOperationsGrpc.KeystoreOperationsBlockingStub;
import org.openkcm.keystore.proto.v1.ListKeysRequest;
import org.openkcm.keystore.proto.v1.ListKeysResponse;
import org.openkcm.keystore.proto.v1.RetrieveKeyRequest;
import org.openkcm.keystore.proto.v1.StoreKeyRequest;
import org.openkcm.keystore.proto.v1.UpdateKeyMetadataRequest;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/**
 * The {@link Keystore} a running plugin process is registered as: every call is one unary gRPC call
 * over the process's AutoMTLS Unix socket channel, with the entry's deadline. Once the process is
 * gone, calls fail at once with {@link BackendUnavailableException} (the supervisor unregisters and
 * restarts).
 */
final class RemoteKeystore implements Keystore {
  private final String name;
  private final ManagedChannel channel;
  private final KeystoreOperationsBlockingStub stub;
  private final Duration timeout;
  private final BackendInfo info;
  private final Duration retry;
  private final AtomicInteger inFlight = new AtomicInteger();

  RemoteKeystore(
      String name, ManagedChannel channel, Duration timeout, BackendInfo info, Duration retry) {
    this.name = name;
    this.channel = channel;
    this.stub = KeystoreOperationsGrpc.newBlockingStub(channel);
    this.timeout = timeout;
    this.info = info;
    this.retry = retry;
  }

  private KeystoreOperationsBlockingStub call() {
    return stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  ManagedChannel channel() {
    return channel;
  }

  @Override
  public BackendInfo info() {
    return info;
  }

  @Override
  public long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
    inFlight.incrementAndGet();
    try {
      return storeCall(metadata, sealed);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private long storeCall(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
    if (sealed.length == 0) {
      throw new InvalidKeyRequestException("sealed", "must not be empty");
    }
    if (sealed.length > info.maxRecordBytes()) {
      throw new InvalidKeyRequestException(
          "sealed",
          "is "
              + sealed.length
              + " bytes, more than the "
              + info.maxRecordBytes()
              + " backend '"
              + name
              + "' accepts");
    }
    try {
      return call()
          .storeKey(
              StoreKeyRequest.newBuilder()
                  .setMetadata(Protos.metadata(metadata))
                  .setSealed(ByteString.copyFrom(sealed))
                  .build())
          .getRevision();
    } catch (StatusRuntimeException e) {
      throw RemoteErrors.map(name, metadata.ref(), e, retry);
    } catch (RuntimeException e) {
      throw unavailable(metadata.ref(), e);
    }
  }

  @Override
  public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
    inFlight.incrementAndGet();
    try {
      return retrieveCall(ref);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private KeyRecord retrieveCall(KeyRef ref) throws KeystoreException {
    org.openkcm.keystore.proto.v1.KeyRecord r;
    try {
      r =
          call()
              .retrieveKey(RetrieveKeyRequest.newBuilder().setRef(Protos.ref(ref)).build())
              .getRecord();
    } catch (StatusRuntimeException e) {
      throw RemoteErrors.map(name, ref, e, retry);
    } catch (RuntimeException e) {
      throw unavailable(ref, e);
    }
    KeyMetadata md = decode(ref, r.getMetadata());
    if (!md.ref().equals(ref)) {
      throw new IntegrityException(
          ref, name, "plugin answered with another record (" + md.ref() + ")");
    }
    return new KeyRecord(md, r.getSealed().toByteArray(), r.getRevision());
  }

  @Override
  public long updateMetadata(KeyMetadata updated, long expectedRevision) throws KeystoreException {
    inFlight.incrementAndGet();
    try {
      return updateMetadataCall(updated, expectedRevision);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private long updateMetadataCall(KeyMetadata updated, long expectedRevision)
      throws KeystoreException {
    try {
      return call()
          .updateKeyMetadata(
              UpdateKeyMetadataRequest.newBuilder()
                  .setMetadata(Protos.metadata(updated))
                  .setExpectedRevision(expectedRevision)
                  .build())
          .getRevision();
    } catch (StatusRuntimeException e) {
      throw RemoteErrors.map(name, updated.ref(), e, retry);
    } catch (RuntimeException e) {
      throw unavailable(updated.ref(), e);
    }
  }

  @Override
  public boolean delete(KeyRef ref) throws KeystoreException {
    inFlight.incrementAndGet();
    try {
      return deleteCall(ref);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private boolean deleteCall(KeyRef ref) throws KeystoreException {
    try {
      return call()
          .deleteKey(DeleteKeyRequest.newBuilder().setRef(Protos.ref(ref)).build())
          .getExisted();
    } catch (StatusRuntimeException e) {
      throw RemoteErrors.map(name, ref, e, retry);
    } catch (RuntimeException e) {
      throw unavailable(ref, e);
    }
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    inFlight.incrementAndGet();
    try {
      return listCall(filter);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private Page<KeyMetadata> listCall(KeyFilter filter) throws KeystoreException {
    ListKeysResponse r;
    try {
      r = call().listKeys(ListKeysRequest.newBuilder().setFilter(Protos.filter(filter)).build());
    } catch (StatusRuntimeException e) {
      throw RemoteErrors.map(name, null, e, retry);
    } catch (RuntimeException e) {
      throw unavailable(null, e);
    }
    List<KeyMetadata> items = new ArrayList<>(r.getItemsCount());
    for (org.openkcm.keystore.proto.v1.KeyMetadata m : r.getItemsList()) {
      items.add(decode(null, m));
    }
    return new Page<>(items, r.getNextCursor().isEmpty() ? null : r.getNextCursor());
  }

  /**
   * Waits until no call is running on this process, at most {@code wait}.
   *
   * @return whether it became idle in time
   */
  boolean awaitIdle(Duration wait) {
    long until = System.nanoTime() + wait.toNanos();
    while (inFlight.get() > 0) {
      if (System.nanoTime() >= until) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // calls take about a millisecond
    }
    return true;
  }

  @Override
  public BackendHealth health() {
    long start = System.nanoTime();
    try {
      HealthResponse h = call().health(HealthRequest.getDefaultInstance());
      Duration latency = Duration.ofNanos(System.nanoTime() - start);
      return new BackendHealth(
          Protos.state(h.getState()),
          RemoteErrors.printable(h.getDetail()),
          latency,
          Instant.now());
    } catch (RuntimeException e) {
      return BackendHealth.of(
          BackendState.UNAVAILABLE,
          "plugin not answering",
          Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private KeyMetadata decode(KeyRef ref, org.openkcm.keystore.proto.v1.KeyMetadata m)
      throws IntegrityException {
    try {
      return Protos.metadata(m);
    } catch (InvalidKeyRequestException e) {
      throw new IntegrityException(ref, name, "plugin sent invalid metadata (" + e.field() + ")");
    }
  }

  private BackendUnavailableException unavailable(KeyRef ref, RuntimeException e) {
    return new BackendUnavailableException(
        name, ref, "plugin call failed (" + e.getClass().getSimpleName() + ")", retry, null);
  }

  @Override
  public String toString() {
    return "plugin backend '" + name + "'";
  }
}
