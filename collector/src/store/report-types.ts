/**
 * Report queries the stores answer. Owned by the reports work (issue 4): it grows as the
 * reports land. Kept apart from the ingest interface so the two can change independently.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ReportStore {}
