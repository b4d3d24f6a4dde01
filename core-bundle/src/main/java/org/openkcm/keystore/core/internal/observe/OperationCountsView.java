package org.openkcm.keystore.core.internal.observe;

import java.util.List;
import org.openkcm.keystore.audit.OperationCounts;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The exact counts of the door calls as the public {@link OperationCounts} (for metrics): a
 * registration of its own, so no other bundle is handed the {@link Observers}, whose registration
 * names only an internal type.
 */
@Component(service = OperationCounts.class)
public final class OperationCountsView implements OperationCounts {
  private final Observers observers;

  @Activate
  public OperationCountsView(@Reference Observers observers) {
    this.observers = observers;
  }

  @Override
  public List<Count> counts() {
    return observers.counts();
  }
}
