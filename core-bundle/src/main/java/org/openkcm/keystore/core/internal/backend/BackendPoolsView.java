package org.openkcm.keystore.core.internal.backend;

import java.util.List;
import org.openkcm.keystore.api.BackendPools;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The backends' call pools as the public {@link BackendPools} (for metrics): a registration of its
 * own, so no other bundle is handed the plugin manager, whose registration names only internal
 * types.
 */
@Component(service = BackendPools.class)
public final class BackendPoolsView implements BackendPools {
  private final CoreAdmin core;

  @Activate
  public BackendPoolsView(@Reference CoreAdmin core) {
    this.core = core;
  }

  @Override
  public List<Pool> pools() {
    return core.pools();
  }
}
