// Approval pages (appr.*), in English; approval.zh-CN.ts has the same keys.
export default {
  nav: { guides: 'Service guides', applicant: 'My applications', officer: 'Approval window' },
  guide: {
    title: 'Service guides', search: 'Item name, code or department', code: 'Code', name: 'Item', dept: 'Department',
    limits: 'Limits (working days)', legal: 'legal {n}', promised: 'promised {n}', stars: 'Stars', online: 'Online', window: 'At the window',
    fastLane: 'Fast lane', fastLaneHint: 'Projects of 30 million yuan or more may take the fast lane: half the promised time.', empty: 'No matching items',
    basis: 'Legal basis', conditions: 'Conditions', materials: 'Materials', fee: 'Fee', free: 'Free of charge',
    flow: 'Procedure (flow chart)', faqs: 'FAQs', where: 'Window', complaint: 'Complaints', visits: 'Visits',
    visitsN: '{n}', apply: 'Apply online', signInToApply: 'Sign in to apply', windowOnly: 'This item is applied for at the window: {w}',
    original: 'original', copy: 'copy', electronic: 'electronic', paper: 'paper', required: 'required', optional: 'optional',
    fromLibrary: 'from the licence library', composite: 'Joint item', parts: 'Parts', version: 'version {n}',
  },
  apply: {
    title: 'Apply for {name}', kind: 'Applicant', person: 'Person', org: 'Organisation', applicantName: 'Name',
    applicantId: 'ID number / USCC', investment: 'Total investment (yuan)', submit: 'Create the case', hint: 'Upload the materials next; those in your library are filled in.',
  },
  cases: {
    title: 'My applications', empty: 'No applications', caseNo: 'Case no.', item: 'Item', state: 'State', due: 'Promised by',
    remaining: 'Working days left', days: '{n} working days', overdue: '{n} working days overdue', submitted: 'Submitted', open: 'Open',
    library: 'My licence library', libEmpty: 'The library is empty', libKind: 'Kind', libName: 'Name', libExpires: 'Valid until',
    certificate: 'Certificate', material: 'Material',
  },
  state: {
    draft: 'Draft', submitted: 'Submitted (awaiting acceptance)', supplementing: 'Awaiting materials', accepted: 'Accepted (in progress)', suspended: 'Clock stopped',
    decided: 'Decided', finished: 'Finished', refused: 'Refused', withdrawn: 'Withdrawn',
  },
  case: {
    header: 'Case', applicant: 'Applicant', promisedDays: 'Promised limit', suspendedDays: 'Clock stopped', fastLane: 'Fast-lane case',
    materials: 'Materials', upload: 'Upload', replace: 'Replace', uploaded: 'Uploaded', notUploaded: 'Not uploaded', reused: 'From the library',
    submit: 'Submit', resubmit: 'Submit the missing materials', withdraw: 'Withdraw', withdrawConfirm: 'Withdraw this application?',
    missingNotice: 'One notice of missing materials: please provide', decision: 'Decision', approve: 'Approve', deny: 'Deny', reason: 'Reason',
    progress: 'Uploading {p}%', download: 'Download', suspensions: 'Clock stops', suspKind: 'Reason', suspFrom: 'From', suspTo: 'Resumed',
    joint: 'Joint case', jointParts: 'Departments', slowest: 'Slowest department', comments: 'Consultation', tooBig: 'The file exceeds the 64 MB limit',
    history: 'Trajectory',
  },
  cert: {
    title: 'Electronic certificate', no: 'Certificate no.', holder: 'Holder', scope: 'Scope', validity: 'Valid', issuer: 'Issued by', status: 'Status',
    valid: 'Valid', revoked: 'Revoked', expired: 'Expired', pdf: 'Download (PDF)', verify: 'Verification page', sm3: 'SM3 of the file',
    issue: 'Issue the certificate', months: 'Valid for (months)', revoke: 'Revoke', revokeReason: 'Reason for revocation', revokedReason: 'Revoked: {r}',
    verifyTitle: 'Certificate verification', verifyHint: 'The QR code on the certificate opens this page. When the SM3 shown here matches your file\'s, the file is the one the platform issued.',
    notFound: 'No certificate has this number', cli: 'Verify the signature offline: tenderhall verify certificate FILE.pdf --department-pub KEY',
    key: 'Department signing key',
  },
  rate: {
    title: 'Rate the service', levels: 'Very dissatisfied,Dissatisfied,Fair,Satisfied,Very satisfied', comment: 'Comment', send: 'Send',
    done: 'You rated: {level}', badHint: 'A dissatisfied rating is called back and rectified by the department.', tasks: 'Call-back and rectification',
  },
  officer: {
    title: 'Approval window', queue: 'Cases to handle', all: 'All', tasks: 'Call-back and rectification tasks', tasksEmpty: 'No tasks', kind: 'Task',
    callback: 'Call back', rectify: 'Rectify', close: 'Close the task', note: 'What was done', onTime: 'on time', late: 'late', taskDue: 'Due',
    accept: 'Accept', refuse: 'Refuse', missing: 'Ask for missing materials', missingKeys: 'Materials to provide', missingNote: 'Note',
    suspend: 'Stop the clock', suspendKind: 'Reason', resume: 'Resume', decide: 'Decide', finish: 'Finish', confirm: 'Confirm',
    hearing: 'Hearing', inspection: 'Site inspection', experts: 'Expert review', correction: 'Correction', comment: 'Comment',
    taskOpen: 'open', taskClosed: 'closed',
    green: 'On track', yellow: 'Due soon', red: 'Overdue',
  },
}
