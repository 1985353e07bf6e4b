import {
  authorizationUrlOf,
  type getInteractionRequest,
} from "../../services/interactions/requests.ts";
import type { RequestFacts } from "./interactions.ts";

type Found = NonNullable<Awaited<ReturnType<typeof getInteractionRequest>>>;

/** The facts of a stored interaction request, as its answer and authorization state them. */
export function requestFacts(publicUrl: string, found: Found): RequestFacts {
  return {
    type: found.request.type,
    requestUri: found.request.requestUri,
    requesterUri: found.requester.uri,
    targetUri: found.status.uri,
    objectUri: found.request.objectUri,
    authorUri: found.author.uri,
    authorizationUri: authorizationUrlOf(publicUrl, found.author, found.request),
  };
}
