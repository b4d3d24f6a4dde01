/** PostgreSQL backend. Private. */
package org.openkcm.keystore.postgres.internal;
