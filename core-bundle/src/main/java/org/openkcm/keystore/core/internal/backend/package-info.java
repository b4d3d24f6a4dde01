/** Plugin manager: tracks Keystore services by name, guards every call, checks health. Private. */
package org.openkcm.keystore.core.internal.backend;
