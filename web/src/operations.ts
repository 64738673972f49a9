import { graphql } from "./gql";

// The operations of the app: GraphQL Code Generator types them from ../schema.graphql and lists them in
// src/gql/persisted-documents.json (the gateway's trusted-documents manifest). The app sends queries and
// mutations by their hash only (src/client.ts), so a gateway running that manifest knows all of them.

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      id
      person { id name { full } birthDate }
      representations { basis person { id name { full } birthDate } }
    }
  }
`);

/** A person the app was asked to show (a link) who is not among the viewer's representations: why not. */
export const PersonQuery = graphql(`
  query Person($person: ID!) {
    person(id: $person) { id name { full } }
  }
`);

// The slow parts of a page, deferred (`... @defer(label: ...)`): the hospital's FHIR server may take a
// second or more to answer the appointments, and the threads (the message store, tens of milliseconds) do
// not wait for them; the gateway sends a deferred part when it is there, in the same answer (urql reads the
// parts: Server-Sent Events). The inbox page and the views Timeavtaler and Helsekontakter spread the same
// fragments, so once the inbox page has them the cache (graphcache) shows those views at once.
export const AppointmentList = graphql(`
  fragment AppointmentList on Person {
    appointments(first: 20) {
      hiddenCount
      nodes { id start title status serviceKind location { name } practitioner { id name } }
    }
  }
`);

export const ContactList = graphql(`
  fragment ContactList on Person {
    healthContacts { id name role serviceKind organization offersDigitalDialogue }
  }
`);

/** A page of threads; the first page of the inbox (`overview`) also has the appointments and the health
 * contacts, each deferred on its own: the threads come first, each slow part when its source answers. */
export const InboxQuery = graphql(`
  query Inbox($person: ID!, $after: String, $archived: Boolean!, $overview: Boolean!) {
    person(id: $person) {
      id
      threads(first: 20, after: $after, archived: $archived) {
        totalCount
        hiddenCount
        pageInfo { hasNextPage endCursor }
        nodes { id subject category archived unreadCount lastMessageAt counterpart { id name } }
      }
      ...AppointmentList @include(if: $overview) @defer(label: "overview-appointments")
      ...ContactList @include(if: $overview) @defer(label: "overview-contacts")
    }
  }
`);

export const ThreadQuery = graphql(`
  query Thread($person: ID!, $thread: ID!) {
    person(id: $person) {
      id
      thread(id: $thread) {
        id
        subject
        archived
        unreadCount
        counterpart { id name }
        messages(first: 50) {
          hiddenCount
          nodes { id body sentAt direction attachments { id name contentType size } hiddenAttachmentCount }
        }
      }
    }
  }
`);

export const MarkThreadRead = graphql(`
  mutation MarkThreadRead($input: ThreadInput!) {
    markThreadRead(input: $input) { thread { id unreadCount } }
  }
`);

export const ArchiveThread = graphql(`
  mutation ArchiveThread($input: ThreadInput!) {
    archiveThread(input: $input) { thread { id archived } }
  }
`);

export const UnarchiveThread = graphql(`
  mutation UnarchiveThread($input: ThreadInput!) {
    unarchiveThread(input: $input) { thread { id archived } }
  }
`);

export const ReplyToThread = graphql(`
  mutation ReplyToThread($input: ReplyToThreadInput!) {
    replyToThread(input: $input) {
      message { id body }
      userErrors { code field message }
    }
  }
`);

export const SendMessage = graphql(`
  mutation SendMessage($input: SendMessageInput!) {
    sendMessage(input: $input) {
      thread { id subject }
      message { id }
      userErrors { code field message }
    }
  }
`);

export const InboxEvents = graphql(`
  subscription InboxEvents($person: ID!) {
    inboxEvents(personId: $person) {
      kind
      at
      thread { id subject unreadCount archived lastMessageAt }
      message { id }
    }
  }
`);

export const AppointmentsQuery = graphql(`
  query Appointments($person: ID!) {
    person(id: $person) {
      id
      ...AppointmentList @defer(label: "appointments")
    }
  }
`);

export const ContactsQuery = graphql(`
  query Contacts($person: ID!) {
    person(id: $person) {
      id
      ...ContactList @defer(label: "contacts")
    }
  }
`);
