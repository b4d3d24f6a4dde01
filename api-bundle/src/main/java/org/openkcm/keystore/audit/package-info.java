/**
 * Accounting for every operation: the {@link org.openkcm.keystore.audit.OperationObserver} the core
 * calls around each key and admin operation (the one interception point of the runtime), the {@link
 * org.openkcm.keystore.audit.AuditSink} that makes an entry durable, the {@link
 * org.openkcm.keystore.audit.OperationEvent} they exchange (which never carries key material,
 * sealed bytes, tokens or plaintext) and the {@link org.openkcm.keystore.audit.Actor} a door (gRPC,
 * shell, console) names its caller with, and the {@link org.openkcm.keystore.audit.AuditKeys} the
 * core derives a trail's keys with; the {@link org.openkcm.keystore.audit.OperationCounts} the core
 * keeps of every call.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.openkcm.keystore.audit;
