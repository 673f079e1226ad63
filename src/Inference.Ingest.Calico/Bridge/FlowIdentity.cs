using System.Security.Cryptography;
using Google.Protobuf;
using Inference.Ingest.Calico.Goldmane.Api;

namespace Inference.Ingest.Calico.Bridge;

/// <summary>
/// The message key of a bridged flow: a hash of its <c>FlowKey</c> (so one flow always lands in the same partition, in
/// order) and the window's start time (so the bridge recognises what it already produced after a restart).
/// </summary>
internal static class FlowIdentity
{
    public static string KeyHash(Flow flow) =>
        Convert.ToHexStringLower(SHA256.HashData((flow.Key ?? new FlowKey()).ToByteArray()).AsSpan(0, 12));
}
