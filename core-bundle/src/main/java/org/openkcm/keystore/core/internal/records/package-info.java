/**
 * The routed record store: the Keystore contract over every configured backend, for callers that
 * seal their own records. Private.
 */
package org.openkcm.keystore.core.internal.records;
