/** OpenBao KV v2 backend and Transit root key provider. Private. */
package org.openkcm.keystore.openbao.internal;
