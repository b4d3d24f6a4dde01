package org.openkcm.keystore.grpc.internal;

import io.grpc.stub.StreamObserver;
import org.openkcm.keystore.api.RoutedRecords;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.proto.v1.DeleteKeyRequest;
import org.openkcm.keystore.proto.v1.DeleteKeyResponse;
import org.openkcm.keystore.proto.v1.HealthRequest;
import org.openkcm.keystore.proto.v1.HealthResponse;
import org.openkcm.keystore.proto.v1.InfoRequest;
import org.openkcm.keystore.proto.v1.InfoResponse;
import org.openkcm.keystore.proto.v1.KeystoreOperationsGrpc;
import org.openkcm.keystore.proto.v1.ListKeysRequest;
import org.openkcm.keystore.proto.v1.ListKeysResponse;
import org.openkcm.keystore.proto.v1.RetrieveKeyRequest;
import org.openkcm.keystore.proto.v1.RetrieveKeyResponse;
import org.openkcm.keystore.proto.v1.StoreKeyRequest;
import org.openkcm.keystore.proto.v1.StoreKeyResponse;
import org.openkcm.keystore.proto.v1.UpdateKeyMetadataRequest;
import org.openkcm.keystore.proto.v1.UpdateKeyMetadataResponse;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.KeyRecord;

/**
 * {@code openkcm.keystore.v1.KeystoreOperations}: sealed records of a remote crypto core, routed by
 * the routing rules through the plugin manager's guarded backends. Records of owners the client may
 * not see answer as absent.
 */
final class KeystoreOperationsEndpoint extends KeystoreOperationsGrpc.KeystoreOperationsImplBase {
  private final RoutedRecords records;
  private final Calls calls;
  private final Listings listings;
  private final StatusMapper errors;

  KeystoreOperationsEndpoint(RoutedRecords records, Calls calls, StatusMapper errors) {
    this.records = records;
    this.calls = calls;
    this.listings = new Listings(records::list);
    this.errors = errors;
  }

  @Override
  public void storeKey(StoreKeyRequest r, StreamObserver<StoreKeyResponse> out) {
    calls.unary(
        "StoreKey",
        out,
        g -> {
          KeyMetadata m = ProtoModel.metadata("metadata", r.getMetadata());
          if (!g.owns(m.owner())) {
            throw errors.denied("this client may not store records of owner " + m.owner());
          }
          if (r.getSealed().isEmpty()) {
            throw new InvalidKeyRequestException("sealed", "is required");
          }
          return StoreKeyResponse.newBuilder()
              .setRevision(records.store(m, r.getSealed().toByteArray()))
              .build();
        });
  }

  @Override
  public void retrieveKey(RetrieveKeyRequest r, StreamObserver<RetrieveKeyResponse> out) {
    calls.unary(
        "RetrieveKey",
        out,
        g ->
            RetrieveKeyResponse.newBuilder()
                .setRecord(ProtoModel.record(visible(g, ProtoModel.ref("ref", r.getRef()))))
                .build());
  }

  @Override
  public void updateKeyMetadata(
      UpdateKeyMetadataRequest r, StreamObserver<UpdateKeyMetadataResponse> out) {
    calls.unary(
        "UpdateKeyMetadata",
        out,
        g -> {
          KeyMetadata m = ProtoModel.metadata("metadata", r.getMetadata());
          visible(g, m.ref());
          if (!g.owns(m.owner())) {
            throw errors.denied("this client may not give records to owner " + m.owner());
          }
          return UpdateKeyMetadataResponse.newBuilder()
              .setRevision(records.updateMetadata(m, r.getExpectedRevision()))
              .build();
        });
  }

  @Override
  public void deleteKey(DeleteKeyRequest r, StreamObserver<DeleteKeyResponse> out) {
    calls.unary(
        "DeleteKey",
        out,
        g -> {
          KeyRef ref = ProtoModel.ref("ref", r.getRef());
          try {
            visible(g, ref);
          } catch (io.grpc.StatusRuntimeException e) {
            return DeleteKeyResponse.newBuilder()
                .setExisted(false)
                .build(); // absent, or not this client's
          }
          return DeleteKeyResponse.newBuilder().setExisted(records.delete(ref)).build();
        });
  }

  @Override
  public void listKeys(ListKeysRequest r, StreamObserver<ListKeysResponse> out) {
    calls.unary(
        "ListKeys",
        out,
        g -> {
          Listings.Visible page = listings.list(g, ProtoModel.filter(r.getFilter()));
          return ListKeysResponse.newBuilder()
              .addAllItems(page.items())
              .setNextCursor(page.nextCursor())
              .addAllUnavailableBackends(page.unavailableBackends())
              .build();
        });
  }

  @Override
  public void health(HealthRequest r, StreamObserver<HealthResponse> out) {
    calls.unary(
        "Health",
        out,
        g -> {
          BackendHealth h = records.health();
          return HealthResponse.newBuilder()
              .setState(ProtoModel.state(h.state()))
              .setDetail(h.detail())
              .setLatencyMicros(h.latency().toNanos() / 1000)
              .setCheckedAt(ProtoModel.time(h.checkedAt()))
              .build();
        });
  }

  @Override
  public void info(InfoRequest r, StreamObserver<InfoResponse> out) {
    calls.unary(
        "Info",
        out,
        g -> {
          BackendInfo i = records.info();
          return InfoResponse.newBuilder()
              .setName(i.name())
              .setPersistent(i.persistent())
              .setMaxRecordBytes(i.maxRecordBytes())
              .setDescription(i.description())
              .build();
        });
  }

  private KeyRecord visible(ClientGrant g, KeyRef ref) throws KeystoreException {
    KeyRecord rec;
    try {
      rec = records.retrieve(ref);
    } catch (KeyNotFoundException e) {
      throw errors.notFound("record");
    }
    if (!g.owns(rec.metadata().owner())) {
      throw errors.notFound("record");
    }
    return rec;
  }
}
