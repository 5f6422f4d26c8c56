// Moved to core/net (the diamond input's Graphite listener uses it too).
export { allowList, allowProblem, peerOf } from "../../../core/net/peer-access";
