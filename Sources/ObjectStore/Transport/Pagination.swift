/// Collects a listing page by page, and makes sure it ends: a page token the store gives twice,
/// or more than `maxPages` pages (`CKPT_S3_MAX_LIST_PAGES`), is a malformed answer.
///
/// - Parameter page: fetches the page after the one whose token it is given (nil: the first);
///   returns the page's entries and the next page's token, nil on the last.
func collectPages(
    of subject: String, maxPages: Int, page: (String?) async throws(StoreError) -> (ObjectListing, next: String?)
) async throws(StoreError) -> ObjectListing {
    var listing = ObjectListing()
    var token: String? = nil
    var tokens = Set<String>()
    repeat {
        guard tokens.count < maxPages else {
            throw StoreError(.malformedResponse, subject, "the listing did not end after \(maxPages) pages (CKPT_S3_MAX_LIST_PAGES)")
        }
        let (entries, next) = try await page(token)
        listing.objects += entries.objects
        listing.folders += entries.folders
        token = next
        if let token, !tokens.insert(token).inserted {
            throw StoreError(.malformedResponse, subject, "the store gave the same page token twice (a listing that never ends)")
        }
    } while token != nil
    return listing
}
