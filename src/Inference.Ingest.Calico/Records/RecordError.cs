namespace Inference.Ingest.Calico.Records;

/// <summary>Why a record cannot be read (it goes to the dead letters with this reason).</summary>
public sealed class RecordException(string reason) : Exception(reason);
