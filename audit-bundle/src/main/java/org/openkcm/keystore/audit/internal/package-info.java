/**
 * The audit trail: the operation observer that refuses operations when no sink can write, the
 * chained JSON-lines file sink with its group-committing writer, the verifier, the runtime events
 * (configuration changes, backend arrival and departure) and the shell door's actor. Private.
 */
package org.openkcm.keystore.audit.internal;
