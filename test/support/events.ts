/** Conversions between full events and what providers observe, for tests. */
import type { ObservedResource } from "../../src/contract/encode.ts";
import type { InfrastructureChangeEvent } from "../../src/gen/elava/v1/event_pb.ts";

/** The ObservedResource an event was published from. */
export function observedFromEvent(event: InfrastructureChangeEvent): ObservedResource {
  if (event.resource.case === undefined) throw new Error(`event ${event.id} has no resource`);
  return {
    id: event.resourceId,
    name: event.resourceName,
    arn: event.arn,
    tags: { ...event.tags },
    payload: event.resource,
  };
}
