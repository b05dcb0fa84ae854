// What obs uses of @aws-sdk/client-xray. The build turns this file into dist/vendor/xray.cjs, so
// only these exports (and what they need) are bundled, and only commands that call X-Ray load it.
export {
  CreateGroupCommand,
  CreateSamplingRuleCommand,
  GetIndexingRulesCommand,
  GetTraceSegmentDestinationCommand,
  ListTagsForResourceCommand,
  paginateGetGroups,
  paginateGetSamplingRules,
  TagResourceCommand,
  UpdateGroupCommand,
  UpdateIndexingRuleCommand,
  UpdateSamplingRuleCommand,
  UpdateTraceSegmentDestinationCommand,
  XRayClient,
} from '@aws-sdk/client-xray';
