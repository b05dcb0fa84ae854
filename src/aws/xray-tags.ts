import type { AwsClients } from './clients.js';
import { loadXraySdk } from './sdk.js';
import { during } from './tags.js';

/** An X-Ray resource's tags (ListTagsForResource, every page), by ARN. */
export async function readXrayTags(clients: AwsClients, arn: string): Promise<Record<string, string>> {
  const client = await clients.xray();
  const { ListTagsForResourceCommand } = await loadXraySdk();
  const tags: Record<string, string> = {};
  let NextToken: string | undefined;
  do {
    const page = await during('ListTagsForResource', client.send(new ListTagsForResourceCommand({ ResourceARN: arn, NextToken })));
    for (const { Key, Value } of page.Tags ?? []) if (Key !== undefined) tags[Key] = Value ?? '';
    NextToken = page.NextToken || undefined;
  } while (NextToken);
  return tags;
}

/** Adds or overwrites these tags; the resource's other tags stay. */
export async function setXrayTags(clients: AwsClients, arn: string, tags: Record<string, string>): Promise<void> {
  if (Object.keys(tags).length === 0) return;
  const client = await clients.xray();
  const { TagResourceCommand } = await loadXraySdk();
  await during('TagResource', client.send(new TagResourceCommand({ ResourceARN: arn, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) })));
}
