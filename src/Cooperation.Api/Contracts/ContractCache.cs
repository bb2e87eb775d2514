using System.Collections.Concurrent;
using Cooperation.Api.Infrastructure;
using Marten;
using Marten.Services;

namespace Cooperation.Api.Contracts;

/// <summary>
/// Contracts as the write path reads them for the calls, referrals and appointments on them: from memory, and
/// never a stale decision, because each decision made on a cached contract is saved only if the contract is
/// still at that version (<see cref="WriteSession.RelyOn"/>); otherwise the entry is dropped and the request
/// decides again on the contract read afresh. A change this service commits drops the entry at once (so a refusal,
/// which has no save to guard it, is not made on an old contract either; the write step also checks a refusal's
/// reads, for changes made by another node). A contract is a few KB and a provider has dozens: no eviction.
/// </summary>
public sealed class ContractCache : DocumentSessionListenerBase
{
    private readonly ConcurrentDictionary<string, Contract> _contracts = new(StringComparer.Ordinal);

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var stream in commit.GetStreams())
        {
            if (stream.Key is { } key && key.StartsWith(StreamKeys.ContractPrefix, StringComparison.Ordinal))
            {
                _contracts.TryRemove(key, out _);
            }
        }

        return Task.CompletedTask;
    }

    public async Task<Contract?> GetAsync(WriteSession write, string contractId, CancellationToken ct)
    {
        var key = StreamKeys.Contract(contractId);
        if (!_contracts.TryGetValue(key, out var contract))
        {
            contract = await write.Session.LoadAsync<Contract>(key, ct);
            if (contract is null)
            {
                return null; // not cached: it may be signed a moment later
            }

            contract = _contracts.AddOrUpdate(key, contract, (_, cached) => cached.Version >= contract.Version ? cached : contract);
        }

        var read = contract;
        write.RelyOn(key, read.Version, () => _contracts.TryRemove(KeyValuePair.Create(key, read)));
        return read;
    }

    /// <summary>
    /// Holds <paramref name="contract"/> as read, whatever is stored: the state a read that raced a change leaves
    /// (read at N, N+1 committed and its eviction done, N cached), or a change made by another node. For tests.
    /// </summary>
    internal void Hold(Contract contract) => _contracts[contract.Id] = contract;
}
